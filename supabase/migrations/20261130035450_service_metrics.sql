-- What the service's Prometheus endpoint reports from the database (docs/operations.md): accounts
-- by platform and status, the accounts of the current hour not yet synced, and every pgmq queue's
-- depth and oldest message age (pgmq.metrics_all). Counts only, never a row.
--
-- Security definer, owned by the migration role, executable by service_role alone: it reads
-- pgmq's queue tables, which service_role need not be granted, and returns nothing but numbers.
-- The queue part is dynamic SQL so the function exists, and reports no queues, where pgmq is not
-- installed (yet).
create or replace function public.social_link_service_metrics()
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  accounts jsonb;
  not_synced jsonb;
  queues jsonb := '[]'::jsonb;
begin
  select coalesce(jsonb_agg(jsonb_build_object('platform', platform, 'status', status, 'count', n)), '[]'::jsonb)
    into accounts
    from (select a.platform::text as platform, a.status::text as status, count(*) as n
            from public.social_media_accounts a
           where a.is_active
           group by 1, 2) counted;

  -- Active accounts the hourly sync should have reached this hour and has not (yet).
  select coalesce(jsonb_agg(jsonb_build_object('platform', platform, 'count', n)), '[]'::jsonb)
    into not_synced
    from (select a.platform::text as platform, count(*) as n
            from public.social_media_accounts a
           where a.is_active and a.status::text in ('connected', 'expiring')
             and (a.last_synced_at is null or a.last_synced_at < date_trunc('hour', now()))
           group by 1) counted;

  if to_regprocedure('pgmq.metrics_all()') is not null then
    execute $q$
      select coalesce(jsonb_agg(jsonb_build_object(
               'queue', m.queue_name, 'depth', m.queue_length, 'oldest_age_seconds', m.oldest_msg_age_sec)
             order by m.queue_name), '[]'::jsonb)
        from pgmq.metrics_all() m
    $q$ into queues;
  end if;

  return jsonb_build_object('accounts', accounts, 'not_synced_this_hour', not_synced, 'queues', queues);
end;
$$;

revoke execute on function public.social_link_service_metrics() from public, anon, authenticated;
grant execute on function public.social_link_service_metrics() to service_role;
