-- The webhook service's own bookkeeping: used OAuth `state` values (single use across replicas),
-- disconnect and Meta's deauthorize / data-deletion callbacks, which must reach the token table in
-- schema `private` that the REST layer does not expose. Everything here is service_role only.

-- ---------------------------------------------------------------------------------------------
-- OAuth state replay protection. A state is signed and expires on its own; this table only has to
-- remember the ones already used until they expire, whichever replica saw them.
-- ---------------------------------------------------------------------------------------------
create table if not exists private.oauth_states (
  nonce text primary key,
  expires_at timestamptz not null,
  used_at timestamptz not null default now()
);

create index if not exists oauth_states_expires_at_idx on private.oauth_states (expires_at);

-- Meta requires a status URL for every data-deletion request. The row records what was deleted,
-- not whose data it was: the Meta user id is exactly what was asked to be forgotten.
create table if not exists private.meta_data_deletion_requests (
  confirmation_code text primary key,
  status text not null default 'completed' check (status in ('pending', 'completed')),
  accounts_deleted integer not null default 0,
  insights_deleted integer not null default 0,
  requested_at timestamptz not null default now(),
  completed_at timestamptz
);

revoke all on table private.oauth_states, private.meta_data_deletion_requests from public, anon, authenticated;
grant select, insert, delete on table private.oauth_states to service_role;
grant select, insert on table private.meta_data_deletion_requests to service_role;

alter table private.oauth_states enable row level security;
alter table private.meta_data_deletion_requests enable row level security;

drop policy if exists "Service role can manage OAuth states" on private.oauth_states;
create policy "Service role can manage OAuth states"
  on private.oauth_states for all to service_role
  using (true) with check (true);

drop policy if exists "Service role can manage data deletion requests" on private.meta_data_deletion_requests;
create policy "Service role can manage data deletion requests"
  on private.meta_data_deletion_requests for all to service_role
  using (true) with check (true);

-- ---------------------------------------------------------------------------------------------
-- RPCs (REST: POST /rest/v1/rpc/<name>).
-- ---------------------------------------------------------------------------------------------

-- True the first time a nonce is presented, false on every replay. Expired nonces are swept here
-- because their states are rejected by their own expiry before they get this far.
create or replace function public.consume_oauth_state(p_nonce text, p_expires_at timestamptz)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  inserted integer;
begin
  delete from private.oauth_states where expires_at < now();
  insert into private.oauth_states (nonce, expires_at) values (p_nonce, p_expires_at)
  on conflict (nonce) do nothing;
  get diagnostics inserted = row_count;
  return inserted = 1;
end;
$$;

-- Disconnect: the user's accounts of one platform stop being active and lose their tokens; the
-- rows (and their insight history) stay.
create or replace function public.disconnect_social_media_accounts(p_user_id text, p_platform public.social_media_platform)
returns setof public.social_media_accounts
language sql
set search_path = ''
as $$
  with changed as (
    update public.social_media_accounts
    set is_active = false
    where user_id = p_user_id and platform = p_platform
    returning *
  ), erased as (
    delete from private.social_media_tokens t using changed where t.account_id = changed.id
  )
  select * from changed
$$;

-- Meta's deauthorize callback: the person removed the app, so every account they connected needs a
-- new login and no token of theirs is kept.
create or replace function public.deauthorize_meta_user(p_meta_user_id text)
returns setof public.social_media_accounts
language sql
set search_path = ''
as $$
  with changed as (
    update public.social_media_accounts
    set is_active = false, status = 'needs_reauth', last_error = 'The app was removed on Facebook.'
    where meta_user_id = p_meta_user_id
    returning *
  ), erased as (
    delete from private.social_media_tokens t using changed where t.account_id = changed.id
  )
  select * from changed
$$;

-- Meta's data-deletion callback: the accounts connected by that Meta user go (their tokens cascade),
-- with the insights of those accounts; the request is recorded under its confirmation code.
create or replace function public.delete_meta_user_data(p_meta_user_id text, p_confirmation_code text)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  accounts_count integer;
  insights_count integer;
  request private.meta_data_deletion_requests;
begin
  with gone as (
    delete from public.social_media_accounts
    where meta_user_id = p_meta_user_id
    returning user_id, platform, account_id
  ), gone_insights as (
    delete from public.social_media_insights i
    using gone
    where i.user_id = gone.user_id and i.platform = gone.platform and i.account_id = gone.account_id
    returning 1
  )
  select (select count(*) from gone), (select count(*) from gone_insights)
  into accounts_count, insights_count;

  insert into private.meta_data_deletion_requests
    (confirmation_code, status, accounts_deleted, insights_deleted, completed_at)
  values (p_confirmation_code, 'completed', accounts_count, insights_count, now())
  returning * into request;
  return to_jsonb(request);
end;
$$;

create or replace function public.meta_data_deletion_status(p_confirmation_code text)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select to_jsonb(r) from private.meta_data_deletion_requests r where r.confirmation_code = p_confirmation_code
$$;

revoke execute on function
  public.consume_oauth_state(text, timestamptz),
  public.disconnect_social_media_accounts(text, public.social_media_platform),
  public.deauthorize_meta_user(text),
  public.delete_meta_user_data(text, text),
  public.meta_data_deletion_status(text)
from public, anon, authenticated;

grant execute on function
  public.consume_oauth_state(text, timestamptz),
  public.disconnect_social_media_accounts(text, public.social_media_platform),
  public.deauthorize_meta_user(text),
  public.delete_meta_user_data(text, text),
  public.meta_data_deletion_status(text)
to service_role;
