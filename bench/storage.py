"""Storage: bytes per account-hour of `social_media_insights` (table plus indexes), as the sync
writes it today and as it was written before (migrations up to 20261124120000), in one run.

Both tables get the same accounts' history: one hour row per account and hour and one day row
per account and day, with the default catalog's metrics. Page values change once a day (Meta's
cadence), Instagram values grow through the day. Today's rows are derived by the real function
(deltas only where Meta changed a value, no deltas for unique metrics, nothing stored as null)
and carry fetched_at and end_times; the earlier rows carry every delta and '{}', and the earlier
indexes. Per 1,000 accounts-year = bytes per account-hour x 8,760 x 1,000.
"""

from __future__ import annotations

import json

import psycopg

from webhook_service.insights_config import InsightsSettings

HOURS_PER_YEAR = 8760
BEFORE = "bench_storage_before"

# Meta's values at hour h of a Pacific day d for account u: Page values are the previous day's,
# complete (they change once a day); Instagram's grow through the day.
HISTORY = """
with hours as (
  select u, p, ts, (ts at time zone 'America/Los_Angeles')::date as meta_day,
         extract(hour from ts at time zone 'America/Los_Angeles')::int as h
  from generate_series(1, %(users)s) u,
       unnest(array['facebook', 'instagram']::public.social_media_platform[]) p,
       generate_series(date_trunc('hour', now()) - make_interval(hours => %(hours)s - 1), date_trunc('hour', now()),
                       interval '1 hour') ts
), valued as (
  select u, p, ts, meta_day,
         case p when 'facebook' then jsonb_build_object(
           'followers_count', 1200 + u + h / 6, 'fan_count', 1100 + u,
           'page_media_view', 900 + (u * 7 + meta_day - date '2026-01-01') %% 400,
           'page_total_media_view_unique', 400 + (u + meta_day - date '2026-01-01') %% 150,
           'page_post_engagements', 60 + (u * 3 + meta_day - date '2026-01-01') %% 40,
           'page_views_total', 30 + (u + meta_day - date '2026-01-01') %% 20,
           'page_total_actions', (u + meta_day - date '2026-01-01') %% 5,
           'page_video_views', 200 + (u * 5 + meta_day - date '2026-01-01') %% 90,
           'page_follows', 1190 + u, 'page_daily_follows_unique', 12, 'page_daily_unfollows_unique', 2)
         else jsonb_build_object(
           'followers_count', 850 + u + h / 4, 'media_count', 64,
           'reach', 30 * h + u %% 17, 'views', 80 * h + u %% 31, 'accounts_engaged', 4 * h,
           'total_interactions', 6 * h + u %% 5, 'likes', 4 * h, 'comments', h / 2, 'shares', h / 3, 'saves', h / 4,
           'follows', h / 3, 'unfollows', h / 8, 'profile_links_taps', h / 6)
         end as metrics,
         jsonb_build_object('*', extract(epoch from (meta_day + case p when 'facebook' then 0 else 1 end)
                                                     at time zone 'America/Los_Angeles')::bigint) as end_times
  from hours
)
"""


def _spec(platform: str, *, legacy: bool) -> str:
    spec = InsightsSettings().platform(platform).derivation_spec()
    return json.dumps({**spec, "uniques": []} if legacy else spec)


def run(env: dict[str, str], *, users: int = 100, hours: int = 24 * 30) -> dict:
    """users x 2 platforms accounts, `hours` of hourly history each."""
    specs = {"fb": _spec("facebook", legacy=False), "ig": _spec("instagram", legacy=False),
             "fb_legacy": _spec("facebook", legacy=True), "ig_legacy": _spec("instagram", legacy=True)}
    params = {"users": users, "hours": hours, **specs}
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as db:
        db.execute(f"""
            create table {BEFORE} (
              id uuid primary key default gen_random_uuid(), user_id varchar(255) not null,
              platform public.social_media_platform not null, account_id varchar(255) not null,
              period varchar(16) not null, window_start timestamptz not null, window_end timestamptz not null,
              metrics jsonb not null, derived jsonb, created_at timestamptz default now(),
              updated_at timestamptz default now(),
              unique (user_id, platform, account_id, period, window_start));
            create index on {BEFORE} (user_id, platform);
            create index on {BEFORE} (account_id, period);
            create index on {BEFORE} (window_start);
            create index on {BEFORE} (user_id, period, window_start)""")
        for table, now_layout in ((BEFORE, False), ("public.social_media_insights", True)):
            derived = ("private.social_media_insights_derived(metrics, lag(metrics) over w, end_times, "
                       "lag(end_times) over w, ts, (case p when 'facebook' then %(fb)s else %(ig)s end)::jsonb)"
                       if now_layout else
                       "coalesce(private.social_media_insights_derived(metrics, lag(metrics) over w, ts, "
                       "(case p when 'facebook' then %(fb_legacy)s else %(ig_legacy)s end)::jsonb), '{}')")
            extra_columns, extra_values = (", end_times, fetched_at", ", end_times, ts + interval '4 minutes'") \
                if now_layout else ("", "")
            db.execute(HISTORY + f"""
                insert into {table} (user_id, platform, account_id, period, window_start, window_end, metrics,
                                     derived{extra_columns})
                select 'bench_storage_' || u, p, p || '-storage-' || u, 'hour', ts, ts + interval '1 hour', metrics,
                       {derived}{extra_values}
                from valued window w as (partition by u, p order by ts)""", params)
            db.execute(HISTORY + f"""
                insert into {table} (user_id, platform, account_id, period, window_start, window_end, metrics,
                                     derived{', fetched_at' if now_layout else ''})
                select distinct on (u, p, meta_day) 'bench_storage_' || u, p, p || '-storage-' || u, 'day',
                       meta_day::timestamptz, meta_day::timestamptz + interval '1 day', metrics - 'followers_count',
                       {'null, ts' if now_layout else "'{}'"}
                from valued order by u, p, meta_day, ts desc""", params)
        db.execute(f"vacuum analyze {BEFORE}")
        db.execute("vacuum analyze public.social_media_insights")
        before = _bytes(db, BEFORE, "true")
        after = _bytes(db, "public.social_media_insights", "user_id like 'bench\\_storage\\_%'")
        db.execute(f"drop table {BEFORE}")
        db.execute("delete from public.social_media_insights where user_id like 'bench\\_storage\\_%'")
    account_hours = users * 2 * hours
    per_hour_before, per_hour_after = before / account_hours, after / account_hours
    return {
        "accounts": users * 2,
        "hours": hours,
        "bytes_per_account_hour_before": round(per_hour_before),
        "bytes_per_account_hour": round(per_hour_after),
        "gb_per_1000_accounts_year_before": round(per_hour_before * HOURS_PER_YEAR * 1000 / 1e9, 2),
        "gb_per_1000_accounts_year": round(per_hour_after * HOURS_PER_YEAR * 1000 / 1e9, 2),
        "reduction": round(1 - per_hour_after / per_hour_before, 3),
    }


def _bytes(db: psycopg.Connection, table: str, rows: str) -> int:
    """Table plus indexes for a table that holds only these rows; for the shared table, its share
    of the whole (its rows are the bench's only ones, but the seed's demo rows are there too)."""
    total = db.execute("select pg_total_relation_size(%s::regclass)", (table,)).fetchone()[0]
    share = db.execute(f"select count(*) filter (where {rows})::float / greatest(count(*), 1) from {table}").fetchone()[0]
    return int(total * share)
