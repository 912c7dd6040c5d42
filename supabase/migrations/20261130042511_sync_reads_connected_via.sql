-- The sync reads how each account was connected: accounts connected with Instagram Login are
-- fetched from graph.instagram.com with their Instagram token, the others from graph.facebook.com.
-- Same function as in the schema migration, with `connected_via` added to what it returns (a new
-- return type needs drop and create).

drop function if exists public.active_social_media_accounts(text, integer, integer);

create function public.active_social_media_accounts(
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
  access_token text,
  connected_via public.social_media_connection_method
)
language sql
stable
set search_path = ''
as $$
  select a.id, a.user_id, a.platform, a.account_id, a.account_name, a.status, a.last_synced_at,
         t.access_token, a.connected_via
  from public.social_media_accounts a
  join private.social_media_tokens t on t.account_id = a.id
  where a.is_active
    and a.status <> 'needs_reauth'
    and (p_user_id is null or a.user_id = p_user_id)
    and (p_shards <= 1 or abs(hashtext(a.id::text)) % p_shards = p_shard)
  order by a.id
$$;

revoke execute on function public.active_social_media_accounts(text, integer, integer) from public, anon, authenticated;
grant execute on function public.active_social_media_accounts(text, integer, integer) to service_role;
