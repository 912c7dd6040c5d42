-- The service's metrics from the database gain the sync queue's dead letters (migration
-- 20261130052000): messages dead-lettered in the last day, by queue, and the accounts the last
-- day's runs lost to dead letters (recorded `failed` with the reason). Starts from
-- 20261130041607's version.
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
  held jsonb;
  app_held_seconds double precision;
  dead_letters jsonb;
  accounts_dead_lettered bigint;
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

  select coalesce(jsonb_agg(jsonb_build_object('status', status, 'count', n)), '[]'::jsonb)
    into held
    from (select h.status, count(*) as n
            from private.social_media_sync_holds h
           where h.held_until > now() and h.scope <> 'app'
           group by 1) counted;

  select coalesce(max(extract(epoch from h.held_until - now())), 0)
    into app_held_seconds
    from private.social_media_sync_holds h
   where h.scope = 'app' and h.held_until > now();

  select coalesce(jsonb_agg(jsonb_build_object('queue', queue, 'count', n)), '[]'::jsonb)
    into dead_letters
    from (select e.queue, count(*) as n
            from private.social_media_sync_message_errors e
           where e.dead_lettered_at > now() - interval '1 day'
           group by 1) counted;

  select coalesce(sum(r.accounts_dead_lettered), 0)
    into accounts_dead_lettered
    from public.social_media_sync_runs r
   where r.started_at > now() - interval '1 day';

  if to_regprocedure('pgmq.metrics_all()') is not null then
    execute $q$
      select coalesce(jsonb_agg(jsonb_build_object(
               'queue', m.queue_name, 'depth', m.queue_length, 'oldest_age_seconds', m.oldest_msg_age_sec)
             order by m.queue_name), '[]'::jsonb)
        from pgmq.metrics_all() m
    $q$ into queues;
  end if;

  return jsonb_build_object('accounts', accounts, 'not_synced_this_hour', not_synced, 'queues', queues,
                            'held_accounts', held, 'app_held_seconds', app_held_seconds,
                            'dead_letters', dead_letters, 'accounts_dead_lettered', accounts_dead_lettered);
end;
$$;

revoke execute on function public.social_link_service_metrics() from public, anon, authenticated;
grant execute on function public.social_link_service_metrics() to service_role;
