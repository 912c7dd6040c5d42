-- Connection health: how each account was connected (Facebook Login through a Page, or Instagram
-- Login without one), when its token and its data access end, which required permissions are
-- missing, and a status that says `expiring` before anything breaks. Every status change is
-- appended to public.social_media_account_events, which the owner may read (and subscribe to with
-- Supabase Realtime, or hand to a database webhook to email them).
--
-- The service records what it learns (at connect, after a token refresh, and in the daily health
-- check) with public.record_social_media_account_health; the status is then kept in step with
-- the clock by a trigger, whoever writes the row (the sync writes `connected` after a good run).

do $$
begin
  create type public.social_media_connection_method as enum ('facebook_login', 'instagram_login');
exception when duplicate_object then null;
end $$;

alter table public.social_media_accounts
  add column if not exists connected_via public.social_media_connection_method not null default 'facebook_login',
  add column if not exists data_access_expires_at timestamptz,
  add column if not exists missing_permissions text[] not null default '{}',
  add column if not exists health_checked_at timestamptz,
  -- From when the account counts as `expiring`: the service's warning window before reconnect_by.
  add column if not exists expiring_from timestamptz,
  -- The date the person has to reconnect by: the earlier of the token's end and data access's end.
  add column if not exists reconnect_by timestamptz
    generated always as (least(token_expires_at, data_access_expires_at)) stored;

create index if not exists social_media_accounts_instagram_login_expiry_idx
  on public.social_media_accounts (token_expires_at)
  where connected_via = 'instagram_login' and is_active;

-- ---------------------------------------------------------------------------------------------
-- `connected` and `expiring` follow expiring_from; `needs_reauth` and `error` are left alone.
-- ---------------------------------------------------------------------------------------------
create or replace function private.social_media_account_status_by_expiry()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.status in ('connected', 'expiring') then
    new.status := case when new.expiring_from <= now() then 'expiring' else 'connected' end;
  end if;
  return new;
end;
$$;

drop trigger if exists social_media_accounts_status_by_expiry on public.social_media_accounts;
create trigger social_media_accounts_status_by_expiry
  before insert or update on public.social_media_accounts
  for each row execute function private.social_media_account_status_by_expiry();

-- ---------------------------------------------------------------------------------------------
-- The status history. `from_status` is null for an account's first row.
-- ---------------------------------------------------------------------------------------------
create table if not exists public.social_media_account_events (
  id bigint generated always as identity primary key,
  social_media_account_id uuid not null references public.social_media_accounts (id) on delete cascade,
  user_id text not null,
  platform public.social_media_platform not null,
  account_id text not null,
  from_status public.social_media_account_status,
  to_status public.social_media_account_status not null,
  reason text,
  occurred_at timestamptz not null default now()
);

create index if not exists social_media_account_events_user_idx
  on public.social_media_account_events (user_id, occurred_at);
create index if not exists social_media_account_events_account_idx
  on public.social_media_account_events (social_media_account_id);

revoke all on table public.social_media_account_events from public, anon, authenticated;
grant select on table public.social_media_account_events to authenticated;
grant select, insert, update, delete on table public.social_media_account_events to service_role;

alter table public.social_media_account_events enable row level security;

drop policy if exists "Users can view the events of their accounts" on public.social_media_account_events;
create policy "Users can view the events of their accounts"
  on public.social_media_account_events for select to authenticated
  using (user_id = (select auth.jwt() ->> 'sub'));

drop policy if exists "Service role can manage account events" on public.social_media_account_events;
create policy "Service role can manage account events"
  on public.social_media_account_events for all to service_role
  using (true) with check (true);

create or replace function private.record_social_media_account_event()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' or new.status is distinct from old.status then
    insert into public.social_media_account_events
      (social_media_account_id, user_id, platform, account_id, from_status, to_status, reason)
    values (
      new.id, new.user_id, new.platform, new.account_id,
      case when tg_op = 'UPDATE' then old.status end,
      new.status,
      case when new.status = 'expiring'
           then 'Reconnect before ' || to_char(new.reconnect_by at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')
           else new.last_error end);
  end if;
  return null;
end;
$$;

drop trigger if exists social_media_accounts_record_event on public.social_media_accounts;
create trigger social_media_accounts_record_event
  after insert or update on public.social_media_accounts
  for each row execute function private.record_social_media_account_event();

-- Supabase Realtime sends the changes of tables in this publication (under RLS); the devstack has
-- no such publication.
do $$
begin
  if exists (select 1 from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
    alter publication supabase_realtime add table public.social_media_account_events;
  end if;
exception when duplicate_object then null;
end $$;

-- ---------------------------------------------------------------------------------------------
-- Service RPCs.
-- ---------------------------------------------------------------------------------------------

-- What the service learned about accounts. Each element names the account by `id` (the row id)
-- and carries any of: connected_via, token_expires_at, data_access_expires_at,
-- missing_permissions (array), expiring_from, status, last_error. A key left out keeps the value.
create or replace function public.record_social_media_account_health(p_health jsonb)
returns setof public.social_media_accounts
language sql
set search_path = ''
as $$
  update public.social_media_accounts a set
    connected_via = coalesce((h.item ->> 'connected_via')::public.social_media_connection_method, a.connected_via),
    token_expires_at = case when h.item ? 'token_expires_at'
                            then (h.item ->> 'token_expires_at')::timestamptz else a.token_expires_at end,
    data_access_expires_at = case when h.item ? 'data_access_expires_at'
                                  then (h.item ->> 'data_access_expires_at')::timestamptz
                                  else a.data_access_expires_at end,
    missing_permissions = case when h.item ? 'missing_permissions'
                               then array(select jsonb_array_elements_text(h.item -> 'missing_permissions'))
                               else a.missing_permissions end,
    expiring_from = case when h.item ? 'expiring_from'
                         then (h.item ->> 'expiring_from')::timestamptz else a.expiring_from end,
    status = coalesce((h.item ->> 'status')::public.social_media_account_status, a.status),
    last_error = case when h.item ? 'last_error' then h.item ->> 'last_error' else a.last_error end,
    health_checked_at = now()
  from jsonb_array_elements(p_health) as h(item)
  where a.id = (h.item ->> 'id')::uuid
  returning a.*
$$;

-- Active accounts for the daily health check, `p_limit` at a time after row id `p_after`, with
-- their token ciphertext: those not checked since `p_checked_before`.
create or replace function public.social_media_accounts_for_health_check(
  p_checked_before timestamptz,
  p_after uuid default null,
  p_limit integer default 1000
)
returns table (
  id uuid,
  user_id text,
  platform public.social_media_platform,
  account_id text,
  connected_via public.social_media_connection_method,
  meta_user_id text,
  token_expires_at timestamptz,
  permissions jsonb,
  access_token text
)
language sql
stable
set search_path = ''
as $$
  select a.id, a.user_id, a.platform, a.account_id, a.connected_via, a.meta_user_id, a.token_expires_at,
         a.permissions, t.access_token
  from public.social_media_accounts a
  join private.social_media_tokens t on t.account_id = a.id
  where a.is_active
    and a.status <> 'needs_reauth'
    and (a.health_checked_at is null or a.health_checked_at < p_checked_before)
    and (p_after is null or a.id > p_after)
  order by a.id
  limit p_limit
$$;

-- Instagram Login tokens that end within `p_within`, soonest first, with their ciphertext.
create or replace function public.instagram_tokens_to_refresh(
  p_within interval default interval '10 days',
  p_limit integer default 1000
)
returns table (id uuid, user_id text, account_id text, token_expires_at timestamptz, access_token text)
language sql
stable
set search_path = ''
as $$
  select a.id, a.user_id, a.account_id, a.token_expires_at, t.access_token
  from public.social_media_accounts a
  join private.social_media_tokens t on t.account_id = a.id
  where a.connected_via = 'instagram_login'
    and a.is_active
    and a.status <> 'needs_reauth'
    and a.token_expires_at < now() + p_within
  order by a.token_expires_at
  limit p_limit
$$;

-- A refreshed token and its new expiry, in one transaction. A token replaced meanwhile (the person
-- reconnected after the refresh began) is kept: only the ciphertext the refresh started from is
-- replaced.
create or replace function public.save_refreshed_instagram_token(
  p_id uuid,
  p_previous_token text,
  p_access_token text,
  p_token_expires_at timestamptz,
  p_expiring_from timestamptz
)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  update private.social_media_tokens set access_token = p_access_token
  where account_id = p_id and access_token = p_previous_token;
  if not found then
    return false;
  end if;
  update public.social_media_accounts set
    token_expires_at = p_token_expires_at, expiring_from = p_expiring_from,
    status = case when status = 'error' then 'connected' else status end, last_error = null
  where id = p_id;
  return true;
end;
$$;

revoke execute on function
  private.social_media_account_status_by_expiry(),
  private.record_social_media_account_event(),
  public.record_social_media_account_health(jsonb),
  public.social_media_accounts_for_health_check(timestamptz, uuid, integer),
  public.instagram_tokens_to_refresh(interval, integer),
  public.save_refreshed_instagram_token(uuid, text, text, timestamptz, timestamptz)
from public, anon, authenticated;

grant execute on function
  public.record_social_media_account_health(jsonb),
  public.social_media_accounts_for_health_check(timestamptz, uuid, integer),
  public.instagram_tokens_to_refresh(interval, integer),
  public.save_refreshed_instagram_token(uuid, text, text, timestamptz, timestamptz)
to service_role;
