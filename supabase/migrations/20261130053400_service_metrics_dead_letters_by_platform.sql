-- Dead-lettered sync work by platform and message kind, as the operations guide's alert needs it:
-- the accounts named by the messages archived in the last day (a queue's archive holds only dead
-- letters: a worked message is deleted). Replaces the single total of 20261130052100, which came
-- from the runs and so left out token refreshes and posts. Starts from 20261130052100's version.
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
  accounts_dead_lettered jsonb := '[]'::jsonb;
  queue_name text;
  queue_accounts jsonb;
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

  foreach queue_name in array private.social_media_sync_queues() loop
    if to_regclass(format('pgmq.%I', 'a_' || queue_name)) is not null then
      execute format($q$
        select coalesce(jsonb_agg(jsonb_build_object('platform', platform, 'kind', kind, 'count', n)), '[]'::jsonb)
          from (select a.platform::text as platform, coalesce(m.message ->> 'kind', 'unknown') as kind, count(*) as n
                  from pgmq.%I m
                  cross join lateral jsonb_array_elements_text(
                    case jsonb_typeof(m.message -> 'accounts') when 'array' then m.message -> 'accounts' else '[]' end
                  ) named(id)
                  join public.social_media_accounts a on a.id::text = named.id
                 where m.archived_at > now() - interval '1 day'
                 group by 1, 2) counted
      $q$, 'a_' || queue_name) into queue_accounts;
      accounts_dead_lettered := accounts_dead_lettered || queue_accounts;
    end if;
  end loop;

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
