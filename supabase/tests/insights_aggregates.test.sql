-- Migration 20261130035113: the read RPC aggregates each metric by its kind, says how fresh the
-- numbers are, and the metric kinds are readable by signed-in users only.
begin;
create extension if not exists pgtap with schema extensions;
set search_path = public, extensions;
select plan(14);

-- A Page's day as the sync stores it: three hours (relative to now, as the RPC's window is).
-- Hour -2: first sync (no deltas). Hour -1: Meta updated the day; followers +4.
-- Hour 0: Meta did not update the Page's values (no deltas for them); followers +1.
insert into social_media_insights (user_id, platform, account_id, period, window_start, window_end, metrics, derived,
                                   end_times, fetched_at)
select 'user_agg', 'facebook', 'page-agg', 'hour', date_trunc('hour', now()) - make_interval(hours => h),
       date_trunc('hour', now()) - make_interval(hours => h - 1), m::jsonb, d::jsonb, e::jsonb,
       date_trunc('hour', now()) - make_interval(hours => h) + interval '4 minutes'
from (values
  (2, '{"followers_count": 1000, "page_media_view": 300, "page_post_engagements": 20, "page_total_media_view_unique": 150}',
      null, '{"page_media_view": 1795593600, "page_post_engagements": 1795593600, "page_total_media_view_unique": 1795593600}'),
  (1, '{"followers_count": 1004, "page_media_view": 340, "page_post_engagements": 26, "page_total_media_view_unique": 160}',
      '{"followers_count_delta": 4, "page_media_view_delta": 40, "page_post_engagements_delta": 6, "engagement_rate": 0.1625}',
      '{"page_media_view": 1795593600, "page_post_engagements": 1795593600, "page_total_media_view_unique": 1795593600}'),
  (0, '{"followers_count": 1005, "page_media_view": 340, "page_post_engagements": 26, "page_total_media_view_unique": 160}',
      '{"followers_count_delta": 1, "engagement_rate": 0.1625}',
      '{"page_media_view": 1795593600, "page_post_engagements": 1795593600, "page_total_media_view_unique": 1795680000}')
) as rows(h, m, d, e);
-- Three days of Instagram day rows.
insert into social_media_insights (user_id, platform, account_id, period, window_start, window_end, metrics)
select 'user_agg', 'instagram', 'ig-agg', 'day', date_trunc('day', now()) - make_interval(days => d),
       date_trunc('day', now()) - make_interval(days => d - 1), m::jsonb
from (values (2, '{"views": 100, "reach": 70, "total_interactions": 10, "follows": 3}'),
             (1, '{"views": 120, "reach": 80, "total_interactions": 12, "follows": 1}'),
             (0, '{"views": 50, "reach": 40, "total_interactions": 8, "follows": 2}')) as rows(d, m);

set local role authenticated;
set local request.jwt.claims = '{"sub": "user_agg", "role": "authenticated"}';
create temporary table answer as select public.get_social_media_insights('facebook', 'hour', 24) as hour,
                                        public.get_social_media_insights('instagram', 'day', null, 3) as day;

select is((select hour -> 'aggregates' ->> 'sum_page_media_view' from answer)::int, 40,
  'additive: the sum of the hourly deltas (0 + 40 + nothing)');
select is((select hour -> 'aggregates' ->> 'last_hour_page_media_view' from answer), null,
  'additive: the newest hour had no change, so no last-hour figure');
select is((select hour -> 'aggregates' ->> 'last_followers_count' from answer)::int, 1005, 'level: the last value');
select is((select hour -> 'aggregates' ->> 'change_followers_count' from answer)::int, 5, 'level: its change');
select is((select hour -> 'aggregates' ->> 'last_page_total_media_view_unique' from answer)::int, 160,
  'unique: Meta''s newest day value');
select ok(not (select hour -> 'aggregates' ?| array['sum_followers_count', 'sum_page_total_media_view_unique',
                                                    'sum_engagement_rate'] from answer),
  'no sum of followers, of a unique metric or of a rate');
select is((select hour -> 'aggregates' ->> 'engagement_rate' from answer)::numeric, round(6 / 160.0, 4),
  'rate: recomputed from its parts (post engagements summed, viewers last)');
select is((select hour -> 'kinds' from answer),
  '{"followers_count": "level", "page_media_view": "additive", "page_post_engagements": "additive",
    "page_total_media_view_unique": "unique", "engagement_rate": "rate"}'::jsonb, 'the kinds of the metrics shown');
select is((select hour -> 'freshness' from answer), jsonb_build_array(jsonb_build_object(
  'account_id', 'page-agg',
  'fetched_at', to_char((date_trunc('hour', now()) + interval '4 minutes') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
  'oldest_end_time', '2026-11-25T08:00:00Z', 'newest_end_time', '2026-11-26T08:00:00Z')),
  'freshness: when the newest row was fetched and which Meta days its values belong to');

select is((select day -> 'aggregates' ->> 'sum_views' from answer)::int, 270, 'day rows: additive values summed');
select is((select day -> 'aggregates' ->> 'last_reach' from answer)::int, 40, 'day rows: reach is the newest day''s');
select ok(not (select day -> 'aggregates' ? 'sum_reach' from answer), 'day rows: reach is never summed');
select is((select day -> 'aggregates' ->> 'engagement_rate' from answer)::numeric, round(30 / 40.0, 4),
  'day rows: the rate from the summed interactions and the newest reach');

reset role;
set local role anon;
set local request.jwt.claims = '{"role": "anon"}';
select throws_ok($$select * from public.social_media_metric_kinds$$, '42501', null, 'anon cannot read the metric kinds');

select * from finish();
rollback;
