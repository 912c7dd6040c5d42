-- Migration 20261124100100: pg_cron and pg_net enabled, the hourly job scheduled once by name,
-- and what its command queues: one POST per shard with the Vault secrets, asking for a 202, with
-- an explicit pg_net timeout.
begin;
create extension if not exists pgtap with schema extensions;
set search_path = public, extensions;
select plan(19);

select has_extension('pg_cron', 'pg_cron is enabled');
select has_extension('pg_net', 'pg_net is enabled');

select is((select count(*)::int from cron.job where jobname = 'social-link-insights-sync'), 1,
  'the sync job is scheduled once, by name');
select is((select schedule from cron.job where jobname = 'social-link-insights-sync'), '5 * * * *',
  'the sync job runs hourly, five minutes past the hour');
select ok((select active from cron.job where jobname = 'social-link-insights-sync'), 'the sync job is active');
select is((select command from cron.job where jobname = 'social-link-insights-sync'),
  'select private.request_social_media_insights_sync()', 'the job''s command queues the sync requests');
select is((select count(*)::int from cron.job where jobname = 'social-link-prune-sync-runs'), 1,
  'old sync runs are pruned by a daily job');

-- Re-applying both insights migrations changes nothing: same job, same id, no second row.
create temporary table job_before as select jobid from cron.job where jobname = 'social-link-insights-sync';
set local client_min_messages = warning;
\o /dev/null
\ir ../migrations/20261124100000_insights_sync.sql
\ir ../migrations/20261124100100_insights_hourly_cron.sql
\o
select is((select count(*)::int from cron.job where jobname = 'social-link-insights-sync'), 1,
  're-applying the migration does not duplicate the job');
select is((select jobid from cron.job where jobname = 'social-link-insights-sync'), (select jobid from job_before),
  're-applying the migration re-schedules the same job');

-- Without the Vault secrets the job fails loudly instead of sending nothing.
delete from vault.secrets where name like 'social_link_%';
select throws_ok($$select private.request_social_media_insights_sync()$$, 'P0001',
  'Vault secrets social_link_sync_url and social_link_cron_secret must be set', 'missing secrets fail the job');

\o /dev/null
select vault.create_secret('http://sync.test/api/v1/social-media/insights/sync', 'social_link_sync_url');
select vault.create_secret('cron-secret-for-pgtap', 'social_link_cron_secret');
\o
delete from net.http_request_queue;
select is((select count(*)::int from private.request_social_media_insights_sync()), 1,
  'one request without a shard setting');
select is((select url from net.http_request_queue),
  'http://sync.test/api/v1/social-media/insights/sync?shard=0&shards=1', 'it POSTs to the URL from Vault, shard 0 of 1');
select is((select method from net.http_request_queue), 'POST', 'it is a POST');
select is((select headers ->> 'Authorization' from net.http_request_queue), 'Bearer cron-secret-for-pgtap',
  'it carries the cron secret from Vault');
select is((select headers ->> 'Prefer' from net.http_request_queue), 'respond-async',
  'it asks the service to answer 202 at once and work on');
select is((select timeout_milliseconds from net.http_request_queue), 15000,
  'its timeout is explicit, not pg_net''s 5 s default');

delete from net.http_request_queue;
\o /dev/null
select vault.create_secret('3', 'social_link_sync_shards');
\o
select is((select count(*)::int from private.request_social_media_insights_sync()), 3,
  'social_link_sync_shards = 3: three requests');
select results_eq($$select url from net.http_request_queue order by id$$,
  array['http://sync.test/api/v1/social-media/insights/sync?shard=0&shards=3',
        'http://sync.test/api/v1/social-media/insights/sync?shard=1&shards=3',
        'http://sync.test/api/v1/social-media/insights/sync?shard=2&shards=3'], 'one request per shard');

set local role service_role;
select throws_ok($$select private.request_social_media_insights_sync()$$, '42501', null,
  'only the job''s owner can queue sync requests');
reset role;

select * from finish();
rollback;
