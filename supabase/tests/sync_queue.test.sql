-- Migration 20261130052000_sync_queue: the queues, the jobs by name, the RPCs for service_role only,
-- the hourly command queuing the hour once and poking through pg_net, claim / complete / dead
-- letter, and re-applying the migration changing nothing.
begin;
create extension if not exists pgtap with schema extensions;
set search_path = public, extensions;
select plan(60);

select has_extension('pgmq', 'pgmq is enabled');
select results_eq($$select queue_name::text from pgmq.meta where queue_name like 'social_link_%' order by 1$$,
  array['social_link_sync', 'social_link_sync_low'], 'the high- and low-priority queues exist');

select is((select schedule from cron.job where jobname = 'social-link-insights-sync'), '5 * * * *',
  'the hourly job exists by name');
select is((select command from cron.job where jobname = 'social-link-insights-sync'),
  'select private.enqueue_hourly_social_media_sync()', 'the hourly job queues the hour');
select is((select schedule from cron.job where jobname = 'social-link-sync-kick'), '* * * * *',
  'the kick job exists by name and runs every minute');
select is((select command from cron.job where jobname = 'social-link-sync-kick'),
  'select private.kick_social_media_sync_workers()', 'the kick job pokes the workers');

-- The service's RPCs: service_role only.
create temporary table rpcs (name text, args text[]) on commit drop;
insert into rpcs values
  ('enqueue_social_media_sync', array['text', 'text', 'text', 'integer']),
  ('claim_social_media_sync_message', array['integer', 'integer']),
  ('social_media_sync_accounts', array['uuid[]']),
  ('complete_social_media_sync_message', array['text', 'bigint', 'uuid', 'uuid[]', 'jsonb', 'jsonb', 'jsonb']),
  ('release_social_media_sync_message', array['text', 'bigint', 'text']),
  ('ack_social_media_sync_message', array['text', 'bigint']),
  ('dead_letter_social_media_sync_message', array['text', 'bigint', 'text']),
  ('social_media_sync_run_progress', array['uuid']),
  ('social_media_sync_queue_metrics', array[]::text[]);
select function_privs_are('public', name, args, 'anon', array[]::text[], name || ': not for anon') from rpcs;
select function_privs_are('public', name, args, 'authenticated', array[]::text[], name || ': not for users') from rpcs;
select function_privs_are('public', name, args, 'service_role', array['EXECUTE'], name || ': for service_role') from rpcs;

-- Re-applying the migration changes nothing: same queues, jobs, columns and routines.
create temporary table before_reapply as
  select (select count(*) from pgmq.meta) as queues,
         (select string_agg(jobid || jobname || command, ',' order by jobid) from cron.job) as jobs,
         (select string_agg(attname, ',' order by attnum) from pg_attribute
          where attrelid = 'public.social_media_sync_runs'::regclass and attnum > 0 and not attisdropped) as columns,
         (select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where n.nspname in ('public', 'private')) as routines;
set local client_min_messages = warning;
\o /dev/null
\ir ../migrations/20261130052000_sync_queue.sql
\o
select is((select count(*) from pgmq.meta), (select queues from before_reapply), 're-applying: no queue added');
select is((select string_agg(jobid || jobname || command, ',' order by jobid) from cron.job),
  (select jobs from before_reapply), 're-applying: the same jobs, same ids, same commands');
select is((select string_agg(attname, ',' order by attnum) from pg_attribute
           where attrelid = 'public.social_media_sync_runs'::regclass and attnum > 0 and not attisdropped),
  (select columns from before_reapply), 're-applying: the runs table is unchanged');
select is((select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where n.nspname in ('public', 'private')), (select routines from before_reapply),
  're-applying: no routine added');

-- Fixtures: user Q with three accounts synced before and one new one, and a disconnected one.
insert into social_media_accounts (id, user_id, platform, account_id, last_synced_at, is_active)
values ('99000000-0000-0000-0000-000000000001', 'user_queue_q', 'facebook', 'q-page-1', now() - interval '1 hour', true),
       ('99000000-0000-0000-0000-000000000002', 'user_queue_q', 'facebook', 'q-page-2', now() - interval '1 hour', true),
       ('99000000-0000-0000-0000-000000000003', 'user_queue_q', 'instagram', 'q-ig-1', now() - interval '1 hour', true),
       ('99000000-0000-0000-0000-000000000004', 'user_queue_q', 'instagram', 'q-ig-new', null, true),
       ('99000000-0000-0000-0000-000000000005', 'user_queue_q', 'facebook', 'q-gone', now(), false);
insert into private.social_media_tokens (account_id, access_token)
select id, 'ciphertext' from social_media_accounts where user_id = 'user_queue_q';
\o /dev/null
select pgmq.purge_queue(queue_name := 'social_link_sync');
select pgmq.purge_queue(queue_name := 'social_link_sync_low');
\o
delete from vault.secrets where name like 'social_link_%';
-- This hour's run from the rest of the suite (rolled back with the test) would be returned as is.
delete from social_media_sync_runs where trigger = 'cron' and user_id is null
  and window_start = date_trunc('hour', now(), 'UTC');

-- The hourly command: refused without Vault; once pointed, the hour once, and a poke per message.
select throws_ok($$select private.enqueue_hourly_social_media_sync()$$, 'P0001',
  'Vault secrets social_link_sync_url and social_link_cron_secret must be set',
  'without the Vault secrets the hourly job fails visibly and queues nothing');
\o /dev/null
select vault.create_secret('http://sync.test/api/v1/social-media/insights/sync', 'social_link_sync_url');
select vault.create_secret('cron-secret-for-pgtap', 'social_link_cron_secret');
\o
delete from net.http_request_queue;
create temporary table hourly as select private.enqueue_hourly_social_media_sync(2) as run_id;
grant select on hourly to service_role;
select is((select accounts_queued + accounts_joined from social_media_sync_runs where id = (select run_id from hourly)),
  (select count(*)::int from social_media_accounts a join private.social_media_tokens t on t.account_id = a.id
   where a.is_active and a.status <> 'needs_reauth'),
  'the hourly run queues every active account (or joins one already queued for the hour)');
select is((select count(*)::int from pgmq.q_social_link_sync where message ->> 'run_id' = (select run_id::text from hourly)
           and message -> 'accounts' ?| array['99000000-0000-0000-0000-000000000001', '99000000-0000-0000-0000-000000000002',
                                              '99000000-0000-0000-0000-000000000003']), 2,
  'snapshots go to the high-priority queue, two accounts per message here');
select is((select message ->> 'kind' from pgmq.q_social_link_sync_low
           where message -> 'accounts' ? '99000000-0000-0000-0000-000000000004'), 'account_backfill',
  'a new account''s backfill goes to the low-priority queue');
select is((select count(*)::int from net.http_request_queue), (select least(count(*), 10)::int from (
           select 1 from pgmq.q_social_link_sync union all select 1 from pgmq.q_social_link_sync_low) m),
  'one poke per visible message, at most ten');
select is((select headers ->> 'Authorization' from net.http_request_queue limit 1), 'Bearer cron-secret-for-pgtap',
  'a poke carries the cron secret from Vault');
select is((select timeout_milliseconds from net.http_request_queue limit 1), 15000,
  'a poke''s timeout is explicit');
create temporary table queued_once as select count(*) as n from pgmq.q_social_link_sync;
select is(private.enqueue_hourly_social_media_sync(2), (select run_id from hourly),
  'the job fired twice: the same run');
select is((select count(*) from pgmq.q_social_link_sync), (select n from queued_once),
  'the job fired twice: nothing queued twice');

-- Sync Now during the hour joins the queued accounts instead of doubling them.
set local role service_role;
create temporary table sync_now as
  select * from public.enqueue_social_media_sync('sync_now', 'user_queue_q', 'user_queue_q', 100);
select is((select accounts_queued || '/' || accounts_joined from sync_now), '0/4',
  'Sync Now joins the four accounts already queued for this hour');
select ok((select finished_at is not null from sync_now), 'a run with nothing of its own to do is finished');
select is((public.social_media_sync_run_progress((select id from sync_now)) ->> 'joined_pending')::int, 4,
  'its progress waits for the joined accounts');

-- Claim (high priority first), complete: rows saved, message deleted, counters moved.
create temporary table claimed as select public.claim_social_media_sync_message(30, 3) as m;
select is((select m ->> 'queue' from claimed), 'social_link_sync', 'the high-priority queue is drained first');
select is((select (m ->> 'read_ct')::int from claimed), 1, 'first delivery');
select is((public.complete_social_media_sync_message(
  'social_link_sync', (select (m ->> 'msg_id')::bigint from claimed), (select run_id from hourly),
  array(select jsonb_array_elements_text((select m -> 'message' -> 'accounts' from claimed)))::uuid[], '[]',
  (select jsonb_agg(jsonb_build_object('social_media_account_id', a.id, 'user_id', a.user_id, 'platform', a.platform,
                                       'account_id', a.account_id, 'status', 'synced'))
   from social_media_accounts a where a.id::text in (
     select jsonb_array_elements_text((select m -> 'message' -> 'accounts' from claimed)))), '{}') ->> 'deleted'),
  'true', 'complete deletes the message');
reset role;
select is((select accounts_done from social_media_sync_runs where id = (select run_id from hourly)),
  (select jsonb_array_length(m -> 'message' -> 'accounts') from claimed), 'the run counts its done accounts');
select is((select count(*)::int from pgmq.q_social_link_sync where msg_id = (select (m ->> 'msg_id')::bigint from claimed)),
  0, 'the completed message is gone');

-- A message delivered more than max_deliveries times is dead-lettered and its accounts fail.
update pgmq.q_social_link_sync set read_ct = 3, vt = now() - interval '1 second';
update pgmq.q_social_link_sync_low set vt = now() + interval '1 hour';
create temporary table failing as select min(msg_id) as msg_id from pgmq.q_social_link_sync;
grant select on failing to service_role;
set local role service_role;
\o /dev/null
select public.release_social_media_sync_message('social_link_sync', (select msg_id from failing), 'RuntimeError: boom');
\o
select is(public.claim_social_media_sync_message(30, 3), null,
  'a message past its deliveries is not handed out again');
reset role;
select ok((select count(*) > 0 from pgmq.a_social_link_sync), 'it is archived (dead letter)');
select matches((select error from private.social_media_sync_message_errors
                where queue = 'social_link_sync' and msg_id = (select msg_id from failing) and dead_lettered_at is not null),
  '^Gave up after 3 deliveries; last error: RuntimeError: boom', 'the dead letter keeps its reason');
select ok((select bool_and(status = 'failed' and error like 'Gave up after 3 deliveries%')
           from social_media_sync_run_accounts where run_id = (select run_id from hourly)
             and account_id not in (select a.account_id from social_media_accounts a where a.id::text in (
               select jsonb_array_elements_text((select m -> 'message' -> 'accounts' from claimed))))),
  'its accounts are recorded failed with the reason');

-- A message without a kind is poison: dead-lettered at once.
create temporary table poison as
  select pgmq.send(queue_name := 'social_link_sync', msg := '"not an object"'::jsonb) as msg_id;
set local role service_role;
select is(public.claim_social_media_sync_message(30, 3), null, 'a malformed message is not handed out');
reset role;
select is((select error from private.social_media_sync_message_errors
           where queue = 'social_link_sync' and msg_id = (select msg_id from poison)),
  'Malformed message: expected a JSON object with a "kind"', 'it is dead-lettered with its reason');

select * from finish();
rollback;
