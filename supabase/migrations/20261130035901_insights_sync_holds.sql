-- Holds: accounts (or the whole app) the sync must not call before a time, kept between runs.
--
-- Meta: "When the limit has been reached, stop making API calls. Continuing to make calls will
-- continue to increase your call count", with `estimated_time_to_regain_access` in minutes
-- (https://developers.facebook.com/docs/graph-api/overview/rate-limiting). A rate-limited account
-- is held until then (or a backoff), an app-level limit (codes 4, 341) holds every account, and a
-- Page whose role cannot see insights (no ANALYZE task; code 10 on insights) is held a day
-- rather than failing every hour. While held, each run records the account's outcome as the
-- hold's status with its reason and time, and calls nothing for it.

create table if not exists private.social_media_sync_holds (
  -- 'app' or the account's row id (social_media_accounts.id).
  scope text primary key,
  held_until timestamptz not null,
  status text not null,
  reason text not null,
  updated_at timestamptz not null default now(),
  constraint social_media_sync_holds_status_check check (status in ('rate_limited', 'insufficient_page_role'))
);

revoke all on table private.social_media_sync_holds from public, anon, authenticated;
grant select, insert, update, delete on table private.social_media_sync_holds to service_role;
alter table private.social_media_sync_holds enable row level security;

drop policy if exists "Service role can manage sync holds" on private.social_media_sync_holds;
create policy "Service role can manage sync holds"
  on private.social_media_sync_holds for all to service_role
  using (true) with check (true);

-- The outcome a held Page records: its role cannot read insights.
alter table public.social_media_sync_run_accounts
  drop constraint if exists social_media_sync_run_accounts_status_check;
alter table public.social_media_sync_run_accounts
  add constraint social_media_sync_run_accounts_status_check
  check (status in ('synced', 'partial', 'needs_reauth', 'rate_limited', 'insufficient_page_role', 'failed'));

-- The holds in force for these accounts and for the app.
create or replace function public.social_media_sync_holds_for(p_account_ids uuid[])
returns table (scope text, held_until timestamptz, status text, reason text)
language sql
stable
set search_path = ''
as $$
  select h.scope, h.held_until, h.status, h.reason from private.social_media_sync_holds h
  where h.held_until > now()
    and (h.scope = 'app' or h.scope = any (select id::text from unnest(p_account_ids) as id))
$$;

-- Records holds [{scope, held_until, status, reason}]; a longer hold already in force stays.
-- Holds over for a day are deleted on the way, so the table stays as small as the holds in force.
create or replace function public.hold_social_media_sync(p_holds jsonb)
returns integer
language sql
set search_path = ''
as $$
  with expired as (
    delete from private.social_media_sync_holds
    where held_until < now() - interval '1 day'
      and scope not in (select i.scope from jsonb_to_recordset(p_holds) as i(scope text))
  ), saved as (
    insert into private.social_media_sync_holds as h (scope, held_until, status, reason)
    select i.scope, i.held_until, i.status, i.reason
    from jsonb_to_recordset(p_holds) as i(scope text, held_until timestamptz, status text, reason text)
    on conflict (scope) do update set
      held_until = greatest(excluded.held_until, case when h.held_until > now() then h.held_until end),
      status = excluded.status, reason = excluded.reason, updated_at = now()
    returning 1
  )
  select count(*)::integer from saved
$$;

revoke execute on function public.social_media_sync_holds_for(uuid[]) from public, anon, authenticated;
revoke execute on function public.hold_social_media_sync(jsonb) from public, anon, authenticated;
grant execute on function public.social_media_sync_holds_for(uuid[]) to service_role;
grant execute on function public.hold_social_media_sync(jsonb) to service_role;
