-- Migration 20261124100000: the sync-run tables under RLS, the batch-save RPC (merged metrics,
-- deltas computed once, account outcomes), the run summary, and the insights read RPC.
begin;
create extension if not exists pgtap with schema extensions;
set search_path = public, extensions;
select plan(49);

-- Fixtures, written as the migration owner. User E has a Page and an Instagram account, user F a Page.
insert into social_media_accounts (id, user_id, platform, account_id, account_name, last_synced_at)
values ('eeeeeeee-0000-0000-0000-000000000001', 'user_2clerkE', 'facebook', 'page-e', 'Page E', null),
       ('eeeeeeee-0000-0000-0000-000000000002', 'user_2clerkE', 'instagram', 'ig-e', 'IG E', '2026-01-01 00:05Z'),
       ('ffffffff-0000-0000-0000-000000000001', 'user_2clerkF', 'facebook', 'page-f', 'Page F', null);
insert into private.social_media_tokens (account_id, access_token, updated_at)
values ('eeeeeeee-0000-0000-0000-000000000001', 'ciphertext-e1', now() - interval '1 day'),
       ('eeeeeeee-0000-0000-0000-000000000002', 'ciphertext-e2', now() - interval '1 day'),
       ('ffffffff-0000-0000-0000-000000000001', 'ciphertext-f', now() - interval '1 day');
insert into social_media_sync_runs (id, trigger, requested_by, user_id, window_start, window_end, started_at)
values ('11111111-0000-0000-0000-000000000001', 'cron', null, null, '2026-11-24 09:00Z', '2026-11-24 10:00Z',
        now() - interval '1 minute'),
       ('11111111-0000-0000-0000-000000000002', 'sync_now', 'user_2clerkE', 'user_2clerkE',
        '2026-11-24 10:00Z', '2026-11-24 11:00Z', now() - interval '1 minute'),
       ('11111111-0000-0000-0000-000000000003', 'sync_now', 'user_2clerkF', 'user_2clerkF',
        '2026-11-24 10:00Z', '2026-11-24 11:00Z', now() - interval '1 minute');

create temporary table spec as select
  '{"facebook": {"day_timezone": "America/Los_Angeles", "levels": ["followers_count"],
                 "rates": {"engagement_rate": ["page_post_engagements", "page_total_media_view_unique"]}},
    "instagram": {"day_timezone": "America/Los_Angeles", "levels": ["followers_count"], "rates": {}}}'::jsonb as value;
grant select on spec to service_role;

-- Schema -------------------------------------------------------------------------------------------
select has_table('public', 'social_media_sync_runs', 'sync runs table exists');
select has_table('public', 'social_media_sync_run_accounts', 'per-account outcomes table exists');
select ok((select relrowsecurity from pg_class where oid = 'public.social_media_sync_runs'::regclass), 'RLS is on for sync runs');
select ok((select relrowsecurity from pg_class where oid = 'public.social_media_sync_run_accounts'::regclass),
  'RLS is on for sync outcomes');
select has_index('public', 'social_media_insights', 'smi_unique',
  array['user_id', 'period', 'window_start', 'platform', 'account_id'],
  'the read RPC''s range and the upsert share the unique key (user_id, period, window_start, ...): 20261130045351');
select has_index('public', 'social_media_sync_run_accounts', 'social_media_sync_run_accounts_user_idx',
  'index on the outcomes'' RLS column');

-- save_social_media_sync_batch, as the service calls it ------------------------------------------
set local role service_role;
set local request.jwt.claims = '{"role": "service_role"}';
select is(
  public.save_social_media_sync_batch('11111111-0000-0000-0000-000000000001',
    '[{"user_id": "user_2clerkE", "platform": "facebook", "account_id": "page-e", "period": "hour",
       "window_start": "2026-11-24T09:00:00Z", "window_end": "2026-11-24T10:00:00Z",
       "metrics": {"followers_count": 100, "page_media_view": 50, "page_post_engagements": 5,
                   "page_total_media_view_unique": 40}},
      {"user_id": "user_2clerkE", "platform": "facebook", "account_id": "page-e", "period": "day",
       "window_start": "2026-11-23T00:00:00Z", "window_end": "2026-11-24T00:00:00Z",
       "metrics": {"page_media_view": 900}},
      {"user_id": "user_2clerkF", "platform": "facebook", "account_id": "page-f", "period": "hour",
       "window_start": "2026-11-24T09:00:00Z", "window_end": "2026-11-24T10:00:00Z",
       "metrics": {"followers_count": 7}}]',
    '[{"social_media_account_id": "eeeeeeee-0000-0000-0000-000000000001", "user_id": "user_2clerkE",
       "platform": "facebook", "account_id": "page-e", "status": "synced", "hour_rows": 1, "day_rows": 1},
      {"social_media_account_id": "eeeeeeee-0000-0000-0000-000000000002", "user_id": "user_2clerkE",
       "platform": "instagram", "account_id": "ig-e", "status": "needs_reauth",
       "error": "Graph API error 190/463: expired"},
      {"social_media_account_id": "ffffffff-0000-0000-0000-000000000001", "user_id": "user_2clerkF",
       "platform": "facebook", "account_id": "page-f", "status": "partial", "error": "metrics dropped: page_x",
       "dropped_metrics": ["page_x"], "hour_rows": 1}]',
    (select value from spec)),
  '{"insights": 3, "outcomes": 3}'::jsonb, 'a batch stores its rows and outcomes in one call');

-- The next hour: deltas against 09:00, and the rate.
select is((public.save_social_media_sync_batch('11111111-0000-0000-0000-000000000001',
  '[{"user_id": "user_2clerkE", "platform": "facebook", "account_id": "page-e", "period": "hour",
     "window_start": "2026-11-24T10:00:00Z", "window_end": "2026-11-24T11:00:00Z",
     "metrics": {"followers_count": 103, "page_media_view": 70, "page_post_engagements": 8,
                 "page_total_media_view_unique": 50}}]',
  '[]', (select value from spec))) ->> 'insights', '1', 'the next hour''s row is stored');
select is((select derived from social_media_insights where account_id = 'page-e' and period = 'hour'
           and window_start = '2026-11-24 10:00Z'),
  '{"followers_count_delta": 3, "page_media_view_delta": 20, "page_post_engagements_delta": 3,
    "page_total_media_view_unique_delta": 10, "engagement_rate": 0.16}'::jsonb,
  'derived: deltas against the previous hour and the engagement rate');

-- The same hour again, from an overlapping run (Sync Now during cron) that lost a metric.
select is((public.save_social_media_sync_batch('11111111-0000-0000-0000-000000000002',
  '[{"user_id": "user_2clerkE", "platform": "facebook", "account_id": "page-e", "period": "hour",
     "window_start": "2026-11-24T10:00:00Z", "window_end": "2026-11-24T11:00:00Z",
     "metrics": {"followers_count": 103, "page_post_engagements": 8, "page_total_media_view_unique": 50}}]',
  '[]', (select value from spec))) ->> 'insights', '1', 'the overlapping run''s row is upserted');
select is((select count(*)::int from social_media_insights where account_id = 'page-e' and period = 'hour'
           and window_start = '2026-11-24 10:00Z'), 1, 'an overlapping run writes no second row');
select is((select derived ->> 'followers_count_delta' from social_media_insights where account_id = 'page-e'
           and period = 'hour' and window_start = '2026-11-24 10:00Z'), '3',
  'an overlapping run does not double-count the delta');
select is((select metrics ->> 'page_media_view' from social_media_insights where account_id = 'page-e'
           and period = 'hour' and window_start = '2026-11-24 10:00Z'), '70',
  'a metric missing from a later run keeps the value stored earlier');

-- Meta revises a day: the new value replaces the old one, other metrics stay.
select is((public.save_social_media_sync_batch('11111111-0000-0000-0000-000000000001',
  '[{"user_id": "user_2clerkE", "platform": "facebook", "account_id": "page-e", "period": "day",
     "window_start": "2026-11-23T00:00:00Z", "window_end": "2026-11-24T00:00:00Z",
     "metrics": {"page_media_view": 950, "page_views_total": 30}}]',
  '[]', (select value from spec))) ->> 'insights', '1', 'the revised day is upserted');
select is((select metrics from social_media_insights where account_id = 'page-e' and period = 'day'),
  '{"page_media_view": 950, "page_views_total": 30}'::jsonb, 'a revised day is updated in place');
select is((select derived from social_media_insights where account_id = 'page-e' and period = 'day'),
  null, 'day rows get no hourly deltas (and nothing derived is stored as null)');

select throws_ok($$select public.save_social_media_sync_batch('99999999-0000-0000-0000-000000000009', '[]', '[]', '{}')$$,
  '22023', null, 'an unknown run id is refused');
reset role;

-- Accounts after the first batch's outcomes.
select is((select status::text || ' ' || coalesce(last_error, '-') from social_media_accounts
           where account_id = 'page-e'), 'connected -', 'a synced account is connected without error');
select ok((select last_synced_at is not null from social_media_accounts where account_id = 'page-e'),
  'a synced account gets last_synced_at');
select is((select status::text || ' ' || last_error from social_media_accounts where account_id = 'ig-e'),
  'needs_reauth Graph API error 190/463: expired', 'an invalid token marks the account needs_reauth');
select is((select last_synced_at from social_media_accounts where account_id = 'ig-e'), '2026-01-01 00:05Z'::timestamptz,
  'a failed account keeps its last_synced_at');
select is((select status::text || ' ' || last_error from social_media_accounts where account_id = 'page-f'),
  'connected metrics dropped: page_x', 'a partial sync keeps the account connected and says what was dropped');
select is((select accounts_queued from private.start_social_media_sync_run('sync_now', 'user_2clerkE', null, 100)), 1,
  'a needs_reauth account is skipped by the next sync: only Page E is queued');

-- A reconnect after the run started wins over that run's verdict.
update private.social_media_tokens set access_token = 'ciphertext-new'
where account_id = 'eeeeeeee-0000-0000-0000-000000000001';
set local role service_role;
select is((public.save_social_media_sync_batch('11111111-0000-0000-0000-000000000002', '[]',
  '[{"social_media_account_id": "eeeeeeee-0000-0000-0000-000000000001", "user_id": "user_2clerkE",
     "platform": "facebook", "account_id": "page-e", "status": "needs_reauth", "error": "old token"}]',
  (select value from spec))) ->> 'outcomes', '1', 'the late verdict is recorded as the run''s outcome');
reset role;
select is((select status::text from social_media_accounts where account_id = 'page-e'), 'connected',
  'an account reconnected during the run is not marked needs_reauth by it');

-- finish_social_media_sync_run ------------------------------------------------------------------------
set local role service_role;
select is(
  (select jsonb_build_object('status', status, 'total', accounts_total, 'synced', synced, 'failed', failed,
                             'dropped', dropped_metrics, 'finished', finished_at is not null)
   from public.finish_social_media_sync_run('11111111-0000-0000-0000-000000000001')),
  '{"status": "partial", "total": 3, "synced": {"facebook": 2, "instagram": 0},
    "failed": {"facebook": 0, "instagram": 1}, "dropped": {"facebook": ["page_x"]}, "finished": true}'::jsonb,
  'a finished run counts its outcomes per platform');
select is((select status || ' ' || error from public.finish_social_media_sync_run('11111111-0000-0000-0000-000000000003', 'REST layer unreachable')),
  'failed REST layer unreachable', 'a run that could not go on is failed with its reason');
reset role;

-- anon -------------------------------------------------------------------------------------------------
set local role anon;
set local request.jwt.claims = '{"role": "anon"}';
select throws_ok($$select * from social_media_sync_runs$$, '42501', null, 'anon cannot read sync runs');
select throws_ok($$select * from social_media_sync_run_accounts$$, '42501', null, 'anon cannot read sync outcomes');
select throws_ok($$select public.get_social_media_insights('facebook')$$, '42501', null, 'anon cannot call the read RPC');
reset role;

-- user E ------------------------------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = '{"sub": "user_2clerkE", "role": "authenticated"}';
select results_eq($$select distinct account_id from social_media_sync_run_accounts order by account_id$$,
  array['ig-e', 'page-e'], 'user E sees the outcomes of exactly their own accounts');
select results_eq($$select id::text from social_media_sync_runs$$, array['11111111-0000-0000-0000-000000000002'],
  'user E sees only the run they started, not the cron run''s totals');
select throws_ok($$insert into social_media_sync_runs (trigger, window_start, window_end)
                   values ('sync_now', now(), now() + interval '1 hour')$$, '42501', null, 'user E cannot start runs');
select throws_ok($$update social_media_sync_run_accounts set status = 'synced'$$, '42501', null,
  'user E cannot rewrite outcomes');
select throws_ok($$select public.save_social_media_sync_batch('11111111-0000-0000-0000-000000000002', '[]', '[]', '{}')$$,
  '42501', null, 'user E cannot call the batch-save RPC');
select throws_ok($$select public.finish_social_media_sync_run('11111111-0000-0000-0000-000000000002')$$,
  '42501', null, 'user E cannot finish runs');
select throws_ok($$select public.prune_social_media_sync_runs()$$, '42501', null, 'user E cannot prune runs');

-- The read RPC: windows relative to now, so these rows are written relative to now too.
reset role;
insert into social_media_insights (user_id, platform, account_id, period, window_start, window_end, metrics, derived)
select u, 'instagram', a, 'hour', date_trunc('hour', now()) - make_interval(hours => h),
       date_trunc('hour', now()) - make_interval(hours => h - 1),
       jsonb_build_object('followers_count', 500 - h, 'views', 10 * h),
       jsonb_build_object('followers_count_delta', 1)
from (values ('user_2clerkE', 'ig-e'), ('user_2clerkF', 'ig-f')) as owners(u, a)
cross join generate_series(0, 29) as h;
set local role authenticated;
set local request.jwt.claims = '{"sub": "user_2clerkE", "role": "authenticated"}';
select is(jsonb_array_length(public.get_social_media_insights('instagram', 'hour', 24) -> 'series'), 24,
  'hours=24: the current hour and the 23 before it');
select ok(not (public.get_social_media_insights('instagram', 'hour', 24) -> 'aggregates' ?| array['sum_views', 'sum_followers_count']),
  'snapshots and levels are never summed (aggregates by kind: 20261130035113)');
select is((public.get_social_media_insights('instagram', 'hour', 24) -> 'aggregates' ->> 'last_followers_count')::int,
  500, 'last_followers_count is the newest row''s value');
select is((public.get_social_media_insights('instagram', 'hour', 24) -> 'aggregates' ->> 'change_followers_count')::int,
  23, 'change_followers_count is its change over the window');
select is((select count(*)::int from jsonb_array_elements(public.get_social_media_insights('instagram', 'hour', 2160) -> 'series') s
           where s ->> 'account_id' <> 'ig-e'), 0, 'the read RPC returns only the caller''s rows');
select is(jsonb_array_length(public.get_social_media_insights('instagram', 'hour', 24, null, 'ig-f') -> 'series'), 0,
  'asking for another user''s account returns nothing');
select is(public.get_social_media_insights('facebook', 'day', null, 2) ->> 'period', 'day', 'day rows by days');
select throws_ok($$select public.get_social_media_insights('instagram', 'hour', 24, 1)$$, '22023',
  'give hours or days, not both', 'hours and days together are refused');
select throws_ok($$select public.get_social_media_insights('instagram', 'hour', 24 * 90 + 1)$$, '22023',
  'hours must be between 1 and 2160', 'more than 90 days of hours is refused');
select throws_ok($$select public.get_social_media_insights('tiktok')$$, '22023',
  'platform must be facebook or instagram', 'an unknown platform is refused');
select throws_ok($$select public.get_social_media_insights('instagram', 'week')$$, '22023',
  'period must be hour or day', 'an unknown period is refused');

set local request.jwt.claims = '{"sub": "user_2clerkF", "role": "authenticated"}';
select is((select array_agg(distinct s ->> 'account_id')
           from jsonb_array_elements(public.get_social_media_insights('instagram', 'hour', 48) -> 'series') s),
  array['ig-f'], 'user F reads only their own rows through the same RPC');
reset role;

select * from finish();
rollback;
