"""Read path: the insights read RPC on a year of hourly and daily rows for 1,000 accounts.

Latency of the same question asked three ways, in one run: the bare SQL call (what Postgres
spends), the REST RPC as a frontend calls it with the user's JWT, and the service's
`GET /api/v1/social-media/insights`. Also: the plans (via auto_explain, which sees inside the
function) and how latency grows from one week of history to one year.
"""

from __future__ import annotations

import json
import random

import psycopg
import requests

from bench.measure import percentiles_ms, timed
from devstack import keys

QUERIES = {
    "hours=24": {"period": "hour", "hours": 24},
    "days=30": {"period": "day", "days": 30},
}


def generate_history(db: psycopg.Connection, users: int, since: str, until: str,
                     daily_since: str | None = None) -> None:
    """Hourly and daily rows for `users` users x (Facebook, Instagram) between two offsets from now
    (daily rows from `daily_since` when given)."""
    for first in range(1, users + 1, 50):
        last = min(first + 49, users)
        db.execute(
            f"""
            insert into social_media_insights (user_id, platform, account_id, period, window_start, window_end, metrics, derived)
            select 'bench_reader_' || u, p, p || '-' || u, 'hour', ts, ts + interval '1 hour',
                   jsonb_build_object('followers_count', 1000 + u, 'page_media_view', (u * 7 + extract(hour from ts))::int % 97,
                                      'page_post_engagements', (u + extract(doy from ts))::int % 13, 'reach', u % 50),
                   jsonb_build_object('followers_count_delta', 1, 'page_media_view_delta', 3)
            from generate_series({first}, {last}) u,
                 unnest(array['facebook', 'instagram']::social_media_platform[]) p,
                 generate_series(date_trunc('hour', now()) - interval '{since}',
                                 date_trunc('hour', now()) - interval '{until}', interval '1 hour') ts
            on conflict do nothing
            """
        )
        db.execute(
            f"""
            insert into social_media_insights (user_id, platform, account_id, period, window_start, window_end, metrics, derived)
            select 'bench_reader_' || u, p, p || '-' || u, 'day', ts, ts + interval '1 day',
                   jsonb_build_object('page_media_view', (u * 11 + extract(doy from ts))::int % 997, 'reach', u % 500),
                   '{{}}'::jsonb
            from generate_series({first}, {last}) u,
                 unnest(array['facebook', 'instagram']::social_media_platform[]) p,
                 generate_series(date_trunc('day', now()) - interval '{daily_since or since}',
                                 date_trunc('day', now()) - interval '{until}', interval '1 day') ts
            on conflict do nothing
            """
        )
    # Settle before measuring: vacuum (what autovacuum would otherwise do mid-measurement), fresh
    # statistics, and a checkpoint so the bulk load's dirty pages are not written while we time.
    db.execute("vacuum analyze social_media_insights")
    db.execute("checkpoint")


def _claims(sub: str) -> str:
    return json.dumps({"sub": sub, "role": "authenticated"})


def measure_latencies(env: dict[str, str], db: psycopg.Connection, users: int, samples: int) -> dict:
    results = {}
    for name, query in QUERIES.items():
        results[name] = _measure_query(env, db, users, samples, query)
        results[name]["service_p50_over_sql_p50"] = round(
            results[name]["service"]["p50_ms"] / results[name]["bare_sql"]["p50_ms"], 2)
    return results


def _measure_query(env: dict[str, str], db: psycopg.Connection, users: int, samples: int, query: dict) -> dict:
    """One question (e.g. hours=24) asked of random users' data, three ways."""
    rng = random.Random(7)
    secret = env["SUPABASE_JWT_SECRET"]
    http = requests.Session()

    def pick():
        sub = f"bench_reader_{rng.randint(1, users)}"
        return sub, keys.user_token(secret, sub), rng.choice(["facebook", "instagram"])

    def bare_sql():
        sub, _, platform = pick()
        with db.transaction():
            db.execute("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true)",
                       (_claims(sub),))
            db.execute("select public.get_social_media_insights(%s, %s, %s, %s)",
                       (platform, query["period"], query.get("hours"), query.get("days"))).fetchone()

    def rest_rpc():
        _, token, platform = pick()
        response = http.post(f"{env['SUPABASE_URL']}/rest/v1/rpc/get_social_media_insights",
                             json={"platform": platform, **query},
                             headers={"apikey": env["SUPABASE_ANON_KEY"], "Authorization": f"Bearer {token}"})
        response.raise_for_status()

    def service():
        _, token, platform = pick()
        response = http.get(f"{env['WEBHOOK_URL']}/api/v1/social-media/insights",
                            params={"platform": platform, **query},
                            headers={"Authorization": f"Bearer {token}"})
        response.raise_for_status()

    return {
        "bare_sql": percentiles_ms(timed(bare_sql, samples)),
        "rest_rpc": percentiles_ms(timed(rest_rpc, samples)),
        "service": percentiles_ms(timed(service, samples)),
    }


def plans_use_indexes(db: psycopg.Connection) -> dict:
    """Runs each query once with auto_explain logging the statements inside the function."""
    plans: list[dict] = []

    def collect(diagnostic):
        text = diagnostic.message_primary or ""
        start = text.find("{")
        if "plan:" in text and start >= 0:
            plans.append(json.loads(text[start:]))

    db.add_notice_handler(collect)
    db.execute("load 'auto_explain'")
    for setting, value in (("auto_explain.log_min_duration", "0"), ("auto_explain.log_nested_statements", "on"),
                           ("auto_explain.log_format", "json"), ("client_min_messages", "log")):
        db.execute("select set_config(%s, %s, false)", (setting, value))
    report = {}
    for name, query in QUERIES.items():
        plans.clear()
        with db.transaction():
            db.execute("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true)",
                       (_claims("bench_reader_1"),))
            db.execute("select public.get_social_media_insights('facebook', %s, %s, %s)",
                       (query["period"], query.get("hours"), query.get("days"))).fetchone()
        nodes = [node for plan in plans for node in _nodes(plan.get("Plan", {}))]
        scans = [node for node in nodes if node.get("Relation Name") == "social_media_insights"
                 or node["Node Type"] == "Bitmap Index Scan"]
        report[name] = {
            "scans_of_insights": sorted({f"{n['Node Type']}" + (f" using {n['Index Name']}" if "Index Name" in n else "")
                                         for n in scans}),
            "sequential_scan": any(n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "social_media_insights"
                                   for n in nodes),
        }
    db.execute("select set_config('client_min_messages', 'notice', false)")
    db.remove_notice_handler(collect)
    return report


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def table_size_mb(db: psycopg.Connection) -> float:
    return round(db.execute("select pg_total_relation_size('social_media_insights')").fetchone()[0] / 2**20, 1)


def run(env: dict[str, str], *, users: int = 500, samples: int = 200) -> dict:
    """users x 2 platforms accounts: 500 users = 1,000 accounts."""
    # As the platform's superuser: CHECKPOINT and auto_explain are not postgres's to use (as on Supabase).
    with psycopg.connect(env["ADMIN_DATABASE_URL"], autocommit=True) as db:
        # One week of hourly rows, and the 30 daily rows `days=30` reads, so both questions have
        # full answers before the table grows to a year.
        generate_history(db, users, since="7 days", until="0 hours", daily_since="30 days")
        week = measure_latencies(env, db, users, samples)
        generate_history(db, users, since="365 days", until="7 days", daily_since="365 days")
        rows = db.execute("select count(*) from social_media_insights where user_id like 'bench_reader_%'").fetchone()[0]
        year = measure_latencies(env, db, users, samples)
        size_before = table_size_mb(db)
        plans = plans_use_indexes(db)
        db.execute("call public.prune_hourly_insights(interval '90 days', 50000)")
        db.execute("vacuum full social_media_insights")
        size_after = table_size_mb(db)
    accounts_years = users * 2 / 1000
    return {
        "accounts": users * 2,
        "rows": rows,
        "one_week": week,
        "one_year": year,
        "growth_p50_year_over_week": {
            name: round(year[name]["service"]["p50_ms"] / week[name]["service"]["p50_ms"], 2) for name in QUERIES
        } | {f"{name} (bare SQL)": round(year[name]["bare_sql"]["p50_ms"] / week[name]["bare_sql"]["p50_ms"], 2)
             for name in QUERIES},
        "plans": plans,
        "retention": {
            "table_mb_per_1000_accounts_year_before": round(size_before / accounts_years, 1),
            "table_mb_per_1000_accounts_year_after_90_day_horizon": round(size_after / accounts_years, 1),
        },
    }
