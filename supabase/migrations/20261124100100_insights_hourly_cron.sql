-- The hourly insights sync, scheduled in the database: pg_cron runs a job at five past every hour
-- whose command queues one pg_net POST per shard to the webhook service's sync endpoint.
--
-- URL and secret live in Supabase Vault, never here. Set them once per environment:
--   select vault.create_secret('https://<webhook host>/api/v1/social-media/insights/sync', 'social_link_sync_url');
--   select vault.create_secret('<CRON_SECRET of the service>', 'social_link_cron_secret');
--   select vault.create_secret('4', 'social_link_sync_shards');   -- optional, default 1
-- (vault.update_secret(id, new_secret) changes a value later.)
--
-- pg_net is fire-and-forget: the request leaves after the job's transaction commits, is never
-- retried, and cron.job_run_details says `succeeded` once it is merely queued. The request
-- therefore asks for `Prefer: respond-async`: the service answers 202 as soon as it has recorded
-- the run in public.social_media_sync_runs and works on, so the request cannot time out however
-- many accounts there are, and a run that never arrived is a missing hour in that table.
-- Delivery outcomes are in net._http_response for pg_net.ttl (6 hours).

create extension if not exists pg_cron with schema pg_catalog;
create extension if not exists pg_net with schema extensions;

-- Queues the sync requests and returns their pg_net request ids. Runs as the job's owner; nobody
-- else may call it.
create or replace function private.request_social_media_insights_sync()
returns setof bigint
language plpgsql
set search_path = ''
as $$
declare
  sync_url text;
  cron_secret text;
  shards_setting text;
  shard_count integer;
begin
  select decrypted_secret into sync_url from vault.decrypted_secrets where name = 'social_link_sync_url';
  select decrypted_secret into cron_secret from vault.decrypted_secrets where name = 'social_link_cron_secret';
  select decrypted_secret into shards_setting from vault.decrypted_secrets where name = 'social_link_sync_shards';
  if coalesce(sync_url, '') = '' or coalesce(cron_secret, '') = '' then
    -- Fails the cron run visibly (cron.job_run_details) instead of sending nothing quietly.
    raise exception 'Vault secrets social_link_sync_url and social_link_cron_secret must be set';
  end if;
  shard_count := coalesce(nullif(trim(shards_setting), '')::integer, 1);
  if shard_count < 1 then
    raise exception 'Vault secret social_link_sync_shards must be a positive integer';
  end if;

  return query
    select net.http_post(
      url := sync_url,
      params := jsonb_build_object('shard', shard, 'shards', shard_count),
      headers := jsonb_build_object(
        'Content-Type', 'application/json',
        'Authorization', 'Bearer ' || cron_secret,
        'Prefer', 'respond-async'),
      body := jsonb_build_object('trigger', 'cron'),
      -- The 202 comes back within a second; the slack covers a service that is starting up.
      timeout_milliseconds := 15000)
    from generate_series(0, shard_count - 1) as shard;
end;
$$;

revoke execute on function private.request_social_media_insights_sync() from public, anon, authenticated, service_role;

-- cron.schedule upserts by job name: re-applying this migration replaces the job, never adds one.
select cron.schedule(
  'social-link-insights-sync',
  '5 * * * *',
  'select private.request_social_media_insights_sync()'
);

select cron.schedule(
  'social-link-prune-sync-runs',
  '30 3 * * *',
  'select public.prune_social_media_sync_runs()'
);
