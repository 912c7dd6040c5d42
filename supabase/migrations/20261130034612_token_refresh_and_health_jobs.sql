-- Daily jobs of connection health, by name:
--   social-link-refresh-instagram-tokens  hands the service the Instagram Login tokens that end
--                                         within 10 days; it refreshes each (refresh_access_token).
--   social-link-check-connection-health   turns accounts whose warning window began `expiring`, then
--                                         asks the service to check every account's token
--                                         (debug_token) and permissions.
-- To refresh earlier or later, re-schedule with another interval, e.g.
--   select cron.schedule('social-link-refresh-instagram-tokens', '20 4 * * *',
--     $$select private.request_social_link_task('/api/v1/social-media/tokens/refresh', '{"within_days": 14}')$$);
--
-- The service's address and the cron secret come from Supabase Vault, like the hourly sync's:
--   select vault.create_secret('https://<webhook host>', 'social_link_service_url');
--   select vault.create_secret('<CRON_SECRET of the service>', 'social_link_cron_secret');  -- shared
-- The requests ask for `Prefer: respond-async`: the service answers 202 and works on.

create extension if not exists pg_cron with schema pg_catalog;
create extension if not exists pg_net with schema extensions;

-- Queues one POST to the service at `p_path` and returns its pg_net request id. Runs as the job's
-- owner; nobody else may call it.
create or replace function private.request_social_link_task(p_path text, p_body jsonb)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  service_url text;
  cron_secret text;
begin
  select decrypted_secret into service_url from vault.decrypted_secrets where name = 'social_link_service_url';
  select decrypted_secret into cron_secret from vault.decrypted_secrets where name = 'social_link_cron_secret';
  if coalesce(service_url, '') = '' or coalesce(cron_secret, '') = '' then
    raise exception 'Vault secrets social_link_service_url and social_link_cron_secret must be set';
  end if;
  return net.http_post(
    url := rtrim(service_url, '/') || p_path,
    body := p_body,
    headers := jsonb_build_object(
      'Content-Type', 'application/json',
      'Authorization', 'Bearer ' || cron_secret,
      'Prefer', 'respond-async'),
    timeout_milliseconds := 15000);
end;
$$;

-- Accounts whose warning window has begun become `expiring` even when nothing else writes them
-- (the status trigger of the connection-health migration decides); returns how many changed.
create or replace function public.mark_expiring_social_media_accounts()
returns integer
language sql
set search_path = ''
as $$
  with touched as (
    update public.social_media_accounts set status = 'expiring'
    where status = 'connected' and expiring_from <= now()
    returning 1
  )
  select count(*)::integer from touched
$$;

revoke execute on function private.request_social_link_task(text, jsonb) from public, anon, authenticated, service_role;
revoke execute on function public.mark_expiring_social_media_accounts() from public, anon, authenticated;
grant execute on function public.mark_expiring_social_media_accounts() to service_role;

select cron.schedule(
  'social-link-refresh-instagram-tokens',
  '20 4 * * *',
  $$select private.request_social_link_task('/api/v1/social-media/tokens/refresh', '{"within_days": 10}')$$
);

select cron.schedule(
  'social-link-check-connection-health',
  '40 4 * * *',
  $$select public.mark_expiring_social_media_accounts();
    select private.request_social_link_task('/api/v1/social-media/health/check', '{}')$$
);
