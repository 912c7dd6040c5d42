-- What the reference UI needs from the database beyond the accounts and insights:
--
-- 1. The last connect outcome per user and platform, kept by the service, so a reload still says
--    why a platform did not connect (the reason, its message, the permissions Facebook did not
--    grant). Readable by its user under RLS; no token or Meta data beyond permission names.
-- 2. Disconnecting one account (one of several Pages) instead of every account of a platform.

create table if not exists public.social_media_connect_outcomes (
  user_id text not null,
  platform public.social_media_platform not null,
  connected boolean not null,
  -- The connect API's reason code when not connected: no_pages, missing_permissions,
  -- no_instagram_business_account, token_invalid, access_denied, code_exchange_failed, ...
  reason text,
  message text,
  missing_permissions text[] not null default '{}',
  attempted_at timestamptz not null default now(),
  primary key (user_id, platform),
  constraint social_media_connect_outcomes_reason_check check (connected = (reason is null))
);

alter table public.social_media_connect_outcomes enable row level security;

-- Supabase grants new tables to anon and authenticated by default: only what is meant stays.
revoke all on table public.social_media_connect_outcomes from public, anon, authenticated;
grant select on table public.social_media_connect_outcomes to authenticated;
grant select, insert, update, delete on table public.social_media_connect_outcomes to service_role;

drop policy if exists "Users can view their own connect outcomes" on public.social_media_connect_outcomes;
create policy "Users can view their own connect outcomes"
  on public.social_media_connect_outcomes for select to authenticated
  using (user_id = (select auth.jwt() ->> 'sub'));

drop policy if exists "Service role can manage connect outcomes" on public.social_media_connect_outcomes;
create policy "Service role can manage connect outcomes"
  on public.social_media_connect_outcomes for all to service_role
  using (true) with check (true);

-- One account of the user (or, with no account named, every account of the platform) stops being
-- active and loses its token; the rows and their insight history stay.
create or replace function public.disconnect_social_media_account(
  p_user_id text,
  p_platform public.social_media_platform,
  p_account_id text
)
returns setof public.social_media_accounts
language sql
set search_path = ''
as $$
  with changed as (
    update public.social_media_accounts
    set is_active = false
    where user_id = p_user_id and platform = p_platform and (p_account_id is null or account_id = p_account_id)
    returning *
  ), erased as (
    delete from private.social_media_tokens t using changed where t.account_id = changed.id
  )
  select * from changed
$$;

-- The platform-wide disconnect is the same with no account named (one body for both).
create or replace function public.disconnect_social_media_accounts(p_user_id text, p_platform public.social_media_platform)
returns setof public.social_media_accounts
language sql
set search_path = ''
as $$
  select * from public.disconnect_social_media_account(p_user_id, p_platform, null)
$$;

revoke execute on function public.disconnect_social_media_account(text, public.social_media_platform, text)
  from public, anon, authenticated;
grant execute on function public.disconnect_social_media_account(text, public.social_media_platform, text)
  to service_role;
