-- social-link schema: connected accounts, their tokens, hourly/daily insights.
--
-- Applies unchanged to a Supabase project (`supabase db push`) and to the local devstack.
-- Grants are explicit: Supabase no longer grants new public tables to anon/authenticated/service_role.

create extension if not exists pgcrypto with schema extensions;

do $$
begin
  create type public.social_media_platform as enum ('facebook', 'instagram');
exception when duplicate_object then null;
end $$;

do $$
begin
  create type public.social_media_account_status as enum ('connected', 'needs_reauth', 'error');
exception when duplicate_object then null;
end $$;

create or replace function public.update_updated_at_column()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at = now();
  return new;
end;
$$;

-- ---------------------------------------------------------------------------------------------
-- Connected accounts: what a browser may read. One row per Facebook Page or Instagram account.
--
-- The upsert key is (user_id, platform, account_id): a renamed Page keeps its row. The earlier
-- (user_id, platform, account_name) uniqueness is deliberately not kept, because it made a rename a
-- second row.
--
-- Tokens are NOT columns of this table. Supabase advises against hiding columns with column
-- privileges (a browser's `select *` then fails with 42501), so the secrets live in
-- private.social_media_tokens, in a schema the REST layer does not expose and only service_role
-- can use; `select *` here works for the owner and shows no secret.
-- ---------------------------------------------------------------------------------------------
create table if not exists public.social_media_accounts (
  id uuid primary key default gen_random_uuid(),
  -- The JWT `sub` (Supabase Auth uuid or a Clerk id such as user_2abc), hence text.
  user_id text not null,
  platform public.social_media_platform not null,
  account_id text not null,
  account_name text,
  username text,
  profile_picture_url text,
  token_expires_at timestamptz,
  is_active boolean not null default true,
  is_test_account boolean not null default false,
  permissions jsonb not null default '{}'::jsonb,
  -- The app-scoped Meta user id of whoever connected the account: Meta's deauthorize and
  -- data-deletion callbacks name that id.
  meta_user_id text,
  status public.social_media_account_status not null default 'connected',
  last_error text,
  last_synced_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint social_media_accounts_user_platform_account_key unique (user_id, platform, account_id)
);

create index if not exists social_media_accounts_user_id_idx on public.social_media_accounts (user_id);
create index if not exists social_media_accounts_meta_user_id_idx on public.social_media_accounts (meta_user_id);
create index if not exists social_media_accounts_active_idx
  on public.social_media_accounts (platform, id) where is_active;

drop trigger if exists update_social_media_accounts_updated_at on public.social_media_accounts;
create trigger update_social_media_accounts_updated_at
  before update on public.social_media_accounts
  for each row execute function public.update_updated_at_column();

-- ---------------------------------------------------------------------------------------------
-- Token storage: ciphertext only (the service encrypts with TOKEN_ENCRYPTION_KEY before writing).
-- ---------------------------------------------------------------------------------------------
create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to service_role;

create table if not exists private.social_media_tokens (
  account_id uuid primary key references public.social_media_accounts (id) on delete cascade,
  access_token text,
  refresh_token text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

drop trigger if exists update_social_media_tokens_updated_at on private.social_media_tokens;
create trigger update_social_media_tokens_updated_at
  before update on private.social_media_tokens
  for each row execute function public.update_updated_at_column();

-- ---------------------------------------------------------------------------------------------
-- Insights: time-bucketed metrics per account.
-- ---------------------------------------------------------------------------------------------
create table if not exists public.social_media_insights (
  id uuid primary key default gen_random_uuid(),
  user_id varchar(255) not null,
  platform public.social_media_platform not null,
  account_id varchar(255) not null,
  period varchar(16) not null,
  window_start timestamptz not null,
  window_end timestamptz not null,
  metrics jsonb not null,
  derived jsonb,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  constraint smi_unique unique (user_id, platform, account_id, period, window_start),
  constraint smi_period_check check (period in ('hour', 'day')),
  constraint smi_window_check check (window_end > window_start)
);

create index if not exists idx_smi_user_platform on public.social_media_insights (user_id, platform);
create index if not exists idx_smi_account_period on public.social_media_insights (account_id, period);
create index if not exists idx_smi_window_start on public.social_media_insights (window_start);

drop trigger if exists update_smi_updated_at on public.social_media_insights;
create trigger update_smi_updated_at
  before update on public.social_media_insights
  for each row execute function public.update_updated_at_column();

-- ---------------------------------------------------------------------------------------------
-- Grants: browsers read, only service_role writes. Tokens: service_role only.
-- ---------------------------------------------------------------------------------------------
revoke all on table public.social_media_accounts, public.social_media_insights from public, anon, authenticated;
grant select on table public.social_media_accounts, public.social_media_insights to authenticated;
grant select, insert, update, delete on table public.social_media_accounts, public.social_media_insights to service_role;

revoke all on table private.social_media_tokens from public, anon, authenticated;
grant select, insert, update, delete on table private.social_media_tokens to service_role;

-- ---------------------------------------------------------------------------------------------
-- Row level security. The owner is the JWT `sub`, compared as text: auth.uid() casts to uuid and
-- fails on Clerk ids. The function is wrapped in a select so Postgres evaluates it once per query.
-- ---------------------------------------------------------------------------------------------
alter table public.social_media_accounts enable row level security;
alter table public.social_media_insights enable row level security;
alter table private.social_media_tokens enable row level security;

drop policy if exists "Users can view their own social media accounts" on public.social_media_accounts;
create policy "Users can view their own social media accounts"
  on public.social_media_accounts for select to authenticated
  using (user_id = (select auth.jwt() ->> 'sub'));

drop policy if exists "Service role can manage social media accounts" on public.social_media_accounts;
create policy "Service role can manage social media accounts"
  on public.social_media_accounts for all to service_role
  using (true) with check (true);

drop policy if exists "Users can view their own social media insights" on public.social_media_insights;
create policy "Users can view their own social media insights"
  on public.social_media_insights for select to authenticated
  using (user_id = (select auth.jwt() ->> 'sub'));

drop policy if exists "Service role can manage social media insights" on public.social_media_insights;
create policy "Service role can manage social media insights"
  on public.social_media_insights for all to service_role
  using (true) with check (true);

drop policy if exists "Service role can manage social media tokens" on private.social_media_tokens;
create policy "Service role can manage social media tokens"
  on private.social_media_tokens for all to service_role
  using (true) with check (true);

-- ---------------------------------------------------------------------------------------------
-- Service RPCs (REST: POST /rest/v1/rpc/<name>). Executable by service_role only.
-- ---------------------------------------------------------------------------------------------

-- Upserts accounts and, atomically, their token ciphertext. Each element of `accounts` has the
-- account columns plus optional `access_token` / `refresh_token`. A key that is absent keeps the
-- stored value (a reconnect that lacks a picture does not erase the stored one).
create or replace function public.upsert_social_media_accounts(accounts jsonb)
returns setof public.social_media_accounts
language plpgsql
set search_path = ''
as $$
declare
  item jsonb;
  saved public.social_media_accounts;
begin
  for item in select value from jsonb_array_elements(accounts) loop
    insert into public.social_media_accounts as a (
      user_id, platform, account_id, account_name, username, profile_picture_url,
      token_expires_at, is_active, is_test_account, permissions, meta_user_id, status, last_error
    ) values (
      item ->> 'user_id',
      (item ->> 'platform')::public.social_media_platform,
      item ->> 'account_id',
      item ->> 'account_name',
      item ->> 'username',
      item ->> 'profile_picture_url',
      (item ->> 'token_expires_at')::timestamptz,
      coalesce((item ->> 'is_active')::boolean, true),
      coalesce((item ->> 'is_test_account')::boolean, false),
      coalesce(item -> 'permissions', '{}'::jsonb),
      item ->> 'meta_user_id',
      coalesce((item ->> 'status')::public.social_media_account_status, 'connected'),
      item ->> 'last_error'
    )
    on conflict (user_id, platform, account_id) do update set
      account_name = case when item ? 'account_name' then excluded.account_name else a.account_name end,
      username = case when item ? 'username' then excluded.username else a.username end,
      profile_picture_url = coalesce(excluded.profile_picture_url, a.profile_picture_url),
      token_expires_at = case when item ? 'token_expires_at' then excluded.token_expires_at else a.token_expires_at end,
      is_active = excluded.is_active,
      is_test_account = case when item ? 'is_test_account' then excluded.is_test_account else a.is_test_account end,
      permissions = case when item ? 'permissions' then excluded.permissions else a.permissions end,
      meta_user_id = coalesce(excluded.meta_user_id, a.meta_user_id),
      status = excluded.status,
      last_error = excluded.last_error
    returning a.* into saved;

    if item ? 'access_token' or item ? 'refresh_token' then
      insert into private.social_media_tokens as t (account_id, access_token, refresh_token)
      values (saved.id, item ->> 'access_token', item ->> 'refresh_token')
      on conflict (account_id) do update set
        access_token = coalesce(excluded.access_token, t.access_token),
        refresh_token = coalesce(excluded.refresh_token, t.refresh_token);
    end if;

    return next saved;
  end loop;
end;
$$;

-- The active accounts with their token ciphertext, for the sync. Sharding spreads accounts over
-- replicas by a stable hash of the row id.
create or replace function public.active_social_media_accounts(
  p_user_id text default null,
  p_shard integer default 0,
  p_shards integer default 1
)
returns table (
  id uuid,
  user_id text,
  platform public.social_media_platform,
  account_id text,
  account_name text,
  status public.social_media_account_status,
  last_synced_at timestamptz,
  access_token text
)
language sql
stable
set search_path = ''
as $$
  select a.id, a.user_id, a.platform, a.account_id, a.account_name, a.status, a.last_synced_at,
         t.access_token
  from public.social_media_accounts a
  join private.social_media_tokens t on t.account_id = a.id
  where a.is_active
    and a.status <> 'needs_reauth'
    and (p_user_id is null or a.user_id = p_user_id)
    and (p_shards <= 1 or abs(hashtext(a.id::text)) % p_shards = p_shard)
  order by a.id
$$;

revoke execute on function public.upsert_social_media_accounts(jsonb) from public, anon, authenticated;
revoke execute on function public.active_social_media_accounts(text, integer, integer) from public, anon, authenticated;
grant execute on function public.upsert_social_media_accounts(jsonb) to service_role;
grant execute on function public.active_social_media_accounts(text, integer, integer) to service_role;
