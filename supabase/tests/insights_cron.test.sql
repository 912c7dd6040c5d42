-- Migration 20261124100100 (its job's command replaced by 20261130052000_sync_queue): pg_cron and
-- pg_net enabled, the hourly job scheduled once by name. What the command does is in
-- sync_queue.test.sql.
begin;
create extension if not exists pgtap with schema extensions;
set search_path = public, extensions;
select plan(9);

select has_extension('pg_cron', 'pg_cron is enabled');
select has_extension('pg_net', 'pg_net is enabled');

select is((select count(*)::int from cron.job where jobname = 'social-link-insights-sync'), 1,
  'the sync job is scheduled once, by name');
select is((select schedule from cron.job where jobname = 'social-link-insights-sync'), '5 * * * *',
  'the sync job runs hourly, five minutes past the hour');
select ok((select active from cron.job where jobname = 'social-link-insights-sync'), 'the sync job is active');
select is((select command from cron.job where jobname = 'social-link-insights-sync'),
  'select private.enqueue_hourly_social_media_sync()', 'the job''s command queues the hour''s sync work');
select is((select count(*)::int from cron.job where jobname = 'social-link-prune-sync-runs'), 1,
  'old sync runs are pruned by a daily job');

-- Re-applying the insights migrations (and the queue's, which replaces the job's command) changes
-- nothing: same job, same id, no second row.
create temporary table job_before as select jobid from cron.job where jobname = 'social-link-insights-sync';
set local client_min_messages = warning;
\o /dev/null
\ir ../migrations/20261124100000_insights_sync.sql
\ir ../migrations/20261124100100_insights_hourly_cron.sql
\ir ../migrations/20261130052000_sync_queue.sql
\o
select is((select count(*)::int from cron.job where jobname = 'social-link-insights-sync'), 1,
  're-applying the migration does not duplicate the job');
select is((select jobid from cron.job where jobname = 'social-link-insights-sync'), (select jobid from job_before),
  're-applying the migration re-schedules the same job');

select * from finish();
rollback;
