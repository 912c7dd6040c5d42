-- Migration 20261130034749: fetched_at and Meta's end_time per metric; deltas only between
-- values Meta changed; unique metrics get no delta; a late hour fixes the next hour's deltas.
begin;
create extension if not exists pgtap with schema extensions;
set search_path = public, extensions;
select plan(11);

insert into social_media_accounts (id, user_id, platform, account_id, account_name)
values ('eeeeeeee-0000-0000-0000-0000000000f1', 'user_fresh', 'facebook', 'page-fresh', 'Page');
insert into social_media_sync_runs (id, trigger, window_start, window_end, started_at)
values ('11111111-0000-0000-0000-0000000000f1', 'cron', '2026-11-24 09:00Z', '2026-11-24 10:00Z', now());

create temporary table spec as select
  '{"facebook": {"day_timezone": "America/Los_Angeles", "levels": ["followers_count", "page_follows"],
                 "uniques": ["page_total_media_view_unique"],
                 "rates": {"engagement_rate": ["page_post_engagements", "page_total_media_view_unique"]}}}'::jsonb as value;

-- Saves one hour row of page-fresh: metrics and their end_times (unix seconds of the Meta day end).
create function pg_temp.save_hour(hour timestamptz, metrics jsonb, end_times jsonb) returns void
language sql as $$
  select public.save_social_media_sync_batch('11111111-0000-0000-0000-0000000000f1',
    jsonb_build_array(jsonb_build_object('user_id', 'user_fresh', 'platform', 'facebook', 'account_id', 'page-fresh',
      'period', 'hour', 'window_start', hour, 'window_end', hour + interval '1 hour', 'metrics', metrics,
      'end_times', end_times, 'fetched_at', hour + interval '5 minutes')),
    '[]', (select value from spec));
$$;
create function pg_temp.derived(hour timestamptz) returns jsonb language sql as $$
  select derived from social_media_insights where account_id = 'page-fresh' and period = 'hour' and window_start = hour
$$;

-- Meta's 2026-11-23 ends at 1795507200 (08:00Z on the 24th), 2026-11-24 at 1795593600.
select pg_temp.save_hour('2026-11-24 09:00Z',
  '{"followers_count": 100, "page_media_view": 500, "page_post_engagements": 40, "page_total_media_view_unique": 200}',
  '{"page_media_view": 1795507200, "page_post_engagements": 1795507200, "page_total_media_view_unique": 1795507200}');
select is((select fetched_at from social_media_insights where account_id = 'page-fresh' and window_start = '2026-11-24 09:00Z'),
  '2026-11-24 09:05Z'::timestamptz, 'an hour row records when it was fetched');
select is((select end_times ->> 'page_media_view' from social_media_insights where account_id = 'page-fresh'
           and window_start = '2026-11-24 09:00Z'), '1795507200', 'and Meta''s end_time of each value');

-- 10:00: Meta has not updated the Page's day values; followers moved.
select pg_temp.save_hour('2026-11-24 10:00Z',
  '{"followers_count": 102, "page_media_view": 500, "page_post_engagements": 40, "page_total_media_view_unique": 200}',
  '{"page_media_view": 1795507200, "page_post_engagements": 1795507200, "page_total_media_view_unique": 1795507200}');
select is(pg_temp.derived('2026-11-24 10:00Z'), '{"followers_count_delta": 2, "engagement_rate": 0.2}'::jsonb,
  'a Page value Meta did not change gives no delta; a level still gives its change');

-- 11:00: Meta revised the same day (late data): the difference is the delta.
select pg_temp.save_hour('2026-11-24 11:00Z',
  '{"followers_count": 102, "page_media_view": 530, "page_post_engagements": 40, "page_total_media_view_unique": 230}',
  '{"page_media_view": 1795507200, "page_post_engagements": 1795507200, "page_total_media_view_unique": 1795507200}');
select is(pg_temp.derived('2026-11-24 11:00Z'),
  '{"followers_count_delta": 0, "page_media_view_delta": 30, "engagement_rate": 0.1739}'::jsonb,
  'a revised value gives the difference; a unique metric never gets a delta');

-- 12:00: Meta published a newer day: its whole value is new activity.
select pg_temp.save_hour('2026-11-24 12:00Z',
  '{"followers_count": 102, "page_media_view": 90, "page_post_engagements": 5, "page_total_media_view_unique": 60}',
  '{"page_media_view": 1795593600, "page_post_engagements": 1795593600, "page_total_media_view_unique": 1795593600}');
select is(pg_temp.derived('2026-11-24 12:00Z'),
  '{"followers_count_delta": 0, "page_media_view_delta": 90, "page_post_engagements_delta": 5,
    "engagement_rate": 0.0833}'::jsonb,
  'a value of a newer Meta day counts whole, even before Meta''s midnight');

-- Late: 14:00 is saved before 13:00. It has no previous hour yet, then gets its deltas.
select pg_temp.save_hour('2026-11-24 14:00Z',
  '{"followers_count": 110, "page_media_view": 95}', '{"page_media_view": 1795593600}');
select is(pg_temp.derived('2026-11-24 14:00Z'), null, 'an hour saved before the hour before it has no deltas yet');
select pg_temp.save_hour('2026-11-24 13:00Z',
  '{"followers_count": 104, "page_media_view": 92}', '{"page_media_view": 1795593600}');
select is(pg_temp.derived('2026-11-24 13:00Z'), '{"followers_count_delta": 2, "page_media_view_delta": 2}'::jsonb,
  'the late hour gets its own deltas');
select is(pg_temp.derived('2026-11-24 14:00Z'), '{"followers_count_delta": 6, "page_media_view_delta": 3}'::jsonb,
  'saving the late hour fixes the next hour''s deltas');

-- Rows saved before end_times existed keep the earlier rule (growth within Meta's day).
select is(private.social_media_insights_derived('{"page_media_view": 70}', '{"page_media_view": 50}',
  '2026-11-24 10:00Z', (select value -> 'facebook' from spec)), '{"page_media_view_delta": 20}'::jsonb,
  'without end_times a day-to-date value grows within Meta''s day');
select is(private.social_media_insights_derived('{"page_media_view": 70}', '{"page_media_view": 50}',
  '2026-11-24 08:00Z', (select value -> 'facebook' from spec)), '{"page_media_view_delta": 70}'::jsonb,
  'and restarts when Meta''s day does');

-- Compact end_times: "*" for every metric not named (20261130045351).
select is(private.social_media_insights_derived('{"page_media_view": 70, "page_follows": 9}',
  '{"page_media_view": 70, "page_follows": 8}', '{"*": 1795593600}', '{"*": 1795593600, "page_follows": 1795507200}',
  '2026-11-24 10:00Z', (select value -> 'facebook' from spec)), '{"page_follows_delta": 1}'::jsonb,
  'end_times "*" stands for every metric it does not name');

select * from finish();
rollback;
