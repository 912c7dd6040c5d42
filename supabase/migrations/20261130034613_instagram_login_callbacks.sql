-- Meta's deauthorize and data-deletion callbacks for accounts connected with Instagram Login.
--
-- Instagram Login has callbacks of its own, signed with the Instagram app's secret, whose
-- `user_id` is the Instagram user id the connect flow stored as meta_user_id. The two RPCs now say
-- which login a callback is about, so an id from one never reaches accounts of the other; without
-- the new argument they act on Facebook Login accounts, as before.

drop function if exists public.deauthorize_meta_user(text);
drop function if exists public.delete_meta_user_data(text, text);

create or replace function public.deauthorize_meta_user(
  p_meta_user_id text,
  p_connected_via public.social_media_connection_method default 'facebook_login'
)
returns setof public.social_media_accounts
language sql
set search_path = ''
as $$
  with changed as (
    update public.social_media_accounts
    set is_active = false, status = 'needs_reauth',
        last_error = case p_connected_via when 'instagram_login' then 'The app was removed on Instagram.'
                                          else 'The app was removed on Facebook.' end
    where meta_user_id = p_meta_user_id and connected_via = p_connected_via
    returning *
  ), erased as (
    delete from private.social_media_tokens t using changed where t.account_id = changed.id
  )
  select * from changed
$$;

create or replace function public.delete_meta_user_data(
  p_meta_user_id text,
  p_confirmation_code text,
  p_connected_via public.social_media_connection_method default 'facebook_login'
)
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
    where meta_user_id = p_meta_user_id and connected_via = p_connected_via
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

revoke execute on function
  public.deauthorize_meta_user(text, public.social_media_connection_method),
  public.delete_meta_user_data(text, text, public.social_media_connection_method)
from public, anon, authenticated;

grant execute on function
  public.deauthorize_meta_user(text, public.social_media_connection_method),
  public.delete_meta_user_data(text, text, public.social_media_connection_method)
to service_role;
