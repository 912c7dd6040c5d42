-- Retention: hourly insight rows older than a horizon (default 90 days) are deleted daily, in
-- bounded batches with a commit after each, so the job never holds a long transaction or bloats
-- WAL in one go. Daily rows are kept.
--
-- To change the horizon, re-schedule the job with another interval, e.g.
--   select cron.schedule('social-link-prune-hourly-insights', '17 3 * * *',
--                        $$call public.prune_hourly_insights(interval '30 days')$$);

create extension if not exists pg_cron with schema pg_catalog;

create or replace procedure public.prune_hourly_insights(
  keep interval default interval '90 days',
  batch_size integer default 10000
)
language plpgsql
-- No `set search_path` clause: a procedure with one cannot COMMIT. Every name is schema-qualified.
as $$
declare
  deleted integer;
begin
  loop
    delete from public.social_media_insights
    where id in (
      select id from public.social_media_insights
      where period = 'hour' and window_start < now() - keep
      limit batch_size
    );
    get diagnostics deleted = row_count;
    exit when deleted = 0;
    commit;
  end loop;
end;
$$;

revoke execute on procedure public.prune_hourly_insights(interval, integer) from public, anon, authenticated;
grant execute on procedure public.prune_hourly_insights(interval, integer) to service_role;

-- Scheduled by name: re-running this migration re-schedules, never duplicates.
select cron.schedule(
  'social-link-prune-hourly-insights',
  '17 3 * * *',
  $$call public.prune_hourly_insights(interval '90 days')$$
);

-- pg_cron never cleans its own run history (cron.job_run_details); keep a week of it.
select cron.schedule(
  'social-link-prune-cron-history',
  '47 3 * * *',
  $$delete from cron.job_run_details where end_time < now() - interval '7 days'$$
);
