-- Migration 20261130052500_posts_on_the_sync_queue: completing an account message queues its
-- accounts that went through as one posts message (low priority); completing that records rejected
-- metrics without moving counters; dead-lettering it leaves the run alone.
begin;
create extension if not exists pgtap with schema extensions;
set search_path = public, extensions;
select plan(12);

select function_privs_are('public', 'complete_social_media_posts_message', array['text', 'bigint', 'uuid', 'jsonb'],
  'authenticated', array[]::text[], 'complete_social_media_posts_message: not for users');
select function_privs_are('public', 'complete_social_media_posts_message', array['text', 'bigint', 'uuid', 'jsonb'],
  'service_role', array['EXECUTE'], 'complete_social_media_posts_message: for service_role');

insert into social_media_accounts (id, user_id, platform, account_id, last_synced_at, is_active)
values ('98000000-0000-0000-0000-000000000001', 'user_posts_q', 'facebook', 'pq-page', now() - interval '1 hour', true),
       ('98000000-0000-0000-0000-000000000002', 'user_posts_q', 'instagram', 'pq-ig', now() - interval '1 hour', true),
       ('98000000-0000-0000-0000-000000000003', 'user_posts_q', 'facebook', 'pq-broken', now() - interval '1 hour', true);
insert into private.social_media_tokens (account_id, access_token)
select id, 'ciphertext' from social_media_accounts where user_id = 'user_posts_q';
\o /dev/null
select pgmq.purge_queue(queue_name := 'social_link_sync');
select pgmq.purge_queue(queue_name := 'social_link_sync_low');
\o

set local role service_role;
create temporary table run as select * from public.enqueue_social_media_sync('sync_now', 'user_posts_q', 'user_posts_q', 100);
create temporary table claimed as select public.claim_social_media_sync_message(30, 3) as m;
select is((public.complete_social_media_sync_message(
  'social_link_sync', (select (m ->> 'msg_id')::bigint from claimed), (select id from run),
  array(select jsonb_array_elements_text((select m -> 'message' -> 'accounts' from claimed)))::uuid[], '[]',
  (select jsonb_agg(jsonb_build_object('social_media_account_id', a.id, 'user_id', a.user_id, 'platform', a.platform,
                                       'account_id', a.account_id,
                                       'status', case when a.account_id = 'pq-broken' then 'failed' else 'synced' end))
   from social_media_accounts a where a.user_id = 'user_posts_q'), '{}') ->> 'deleted'), 'true',
  'the account message completes');
reset role;
select is((select message from pgmq.q_social_link_sync_low),
  jsonb_build_object('kind', 'posts', 'run_id', (select id from run), 'first_sync', false,
                     'accounts', '["98000000-0000-0000-0000-000000000001", "98000000-0000-0000-0000-000000000002"]'::jsonb),
  'one posts message on the low-priority queue names the accounts whose snapshot went through');
select is((select status || ' ' || accounts_done || '/' || accounts_failed from social_media_sync_runs where id = (select id from run)),
  'partial 2/1', 'the run is finished from its snapshots');
create temporary table before_posts as select * from social_media_sync_runs where id = (select id from run);
create temporary table posts_message as select msg_id from pgmq.q_social_link_sync_low;
grant select on posts_message to service_role;

set local role service_role;
select is(public.complete_social_media_posts_message('social_link_sync_low',
  (select msg_id from posts_message), (select id from run),
  '{"98000000-0000-0000-0000-000000000002": ["instagram/FEED:ig_reels_avg_watch_time"]}'), true,
  'the posts message completes and is deleted');
reset role;
select is((select status || ' ' || array_to_string(dropped_metrics, ',') || ' ' || error from social_media_sync_run_accounts
           where run_id = (select id from run) and account_id = 'pq-ig'),
  'partial instagram/FEED:ig_reels_avg_watch_time Meta rejected metrics: instagram/FEED:ig_reels_avg_watch_time',
  'a metric rejected for a media type reaches the account''s outcome');
select is((select dropped_metrics from social_media_sync_runs where id = (select id from run)),
  '{"instagram": ["instagram/FEED:ig_reels_avg_watch_time"]}'::jsonb, 'and the finished run''s dropped metrics');
select is((select (accounts_done, accounts_failed, accounts_dead_lettered, finished_at)::text
           from social_media_sync_runs where id = (select id from run)),
  (select (accounts_done, accounts_failed, accounts_dead_lettered, finished_at)::text from before_posts),
  'post work moves no counter');

-- A posts message that is dead-lettered records nothing in the run (finished a minute ago here,
-- so re-finishing it would show).
update social_media_sync_runs set finished_at = finished_at - interval '1 minute' where id = (select id from run);
create temporary table before_dead as select * from social_media_sync_runs where id = (select id from run);
create temporary table dead as select pgmq.send(queue_name := 'social_link_sync_low', msg := jsonb_build_object(
  'kind', 'posts', 'run_id', (select id from run), 'accounts', '["98000000-0000-0000-0000-000000000001"]'::jsonb)) as msg_id;
grant select on dead to service_role;
set local role service_role;
\o /dev/null
select public.dead_letter_social_media_sync_message('social_link_sync_low', (select msg_id from dead), 'boom');
\o
reset role;
select is((select count(*)::int from pgmq.a_social_link_sync_low where msg_id = (select msg_id from dead)), 1,
  'a dead posts message is archived');
select is((select (accounts_done, accounts_failed, accounts_dead_lettered, finished_at)::text
           from social_media_sync_runs where id = (select id from run)),
  (select (accounts_done, accounts_failed, accounts_dead_lettered, finished_at)::text from before_dead),
  'its run keeps its counters and finish');
select is((select status from social_media_sync_run_accounts where run_id = (select id from run) and account_id = 'pq-page'),
  'synced', 'its accounts are not recorded failed');

select * from finish();
rollback;
