-- Clean-up: what the earlier migrations repeated or did for nothing. No role gains or loses a
-- privilege on anything that exists (supabase/tests/rls_matrix.test.sql is unchanged for them).

-- ---------------------------------------------------------------------------------------------
-- service_role has BYPASSRLS, so a `for all to service_role using (true)` policy never decides
-- anything; the tables keep RLS on, with the users' policies only.
-- ---------------------------------------------------------------------------------------------
drop policy if exists "Service role can manage social media accounts" on public.social_media_accounts;
drop policy if exists "Service role can manage social media insights" on public.social_media_insights;
drop policy if exists "Service role can manage social media tokens" on private.social_media_tokens;
drop policy if exists "Service role can manage OAuth states" on private.oauth_states;
drop policy if exists "Service role can manage data deletion requests" on private.meta_data_deletion_requests;
drop policy if exists "Service role can manage sync runs" on public.social_media_sync_runs;
drop policy if exists "Service role can manage sync outcomes" on public.social_media_sync_run_accounts;
drop policy if exists "Service role can manage account events" on public.social_media_account_events;
drop policy if exists "Service role can manage the metric kinds" on public.social_media_metric_kinds;
drop policy if exists "Service role can manage sync holds" on private.social_media_sync_holds;
drop policy if exists "Service role can manage social media posts" on public.social_media_posts;
drop policy if exists "Service role can manage social media post insights" on public.social_media_post_insights;
drop policy if exists "Service role can manage connect outcomes" on public.social_media_connect_outcomes;

-- ---------------------------------------------------------------------------------------------
-- Routines created from here on in public and private are for service_role unless granted
-- otherwise, without a revoke/grant pair per routine (as basejump sets its schemas up). Per
-- schema only: the global default (EXECUTE for PUBLIC) also covers routines that extensions
-- installed later by this role create, such as pgmq's, which must stay callable. In `private`,
-- anon and authenticated have no USAGE anyway.
-- ---------------------------------------------------------------------------------------------
alter default privileges in schema public, private revoke execute on functions from anon, authenticated;
alter default privileges in schema public, private grant execute on functions to service_role;

-- ---------------------------------------------------------------------------------------------
-- Disconnect and Meta's deauthorize end the same way: the accounts stop being active and their
-- tokens are erased; the rows and their history stay. One helper does it for both.
-- ---------------------------------------------------------------------------------------------
create or replace function private.deactivate_social_media_accounts(
  p_account_ids uuid[],
  p_reauth_reason text default null
)
returns setof public.social_media_accounts
language sql
set search_path = ''
as $$
  -- With a reason, the accounts also need a new login (needs_reauth, the reason as last_error).
  with changed as (
    update public.social_media_accounts
    set is_active = false,
        status = case when p_reauth_reason is null then status else 'needs_reauth' end,
        last_error = coalesce(p_reauth_reason, last_error)
    where id = any (p_account_ids)
    returning *
  ), erased as (
    delete from private.social_media_tokens t using changed where t.account_id = changed.id
  )
  select * from changed
$$;

-- From 20261130043431_connect_outcomes_and_account_disconnect (one account, or all of a platform);
-- disconnect_social_media_accounts(text, platform) calls it, as there.
create or replace function public.disconnect_social_media_account(
  p_user_id text,
  p_platform public.social_media_platform,
  p_account_id text
)
returns setof public.social_media_accounts
language sql
set search_path = ''
as $$
  select * from private.deactivate_social_media_accounts(array(
    select id from public.social_media_accounts
    where user_id = p_user_id and platform = p_platform and (p_account_id is null or account_id = p_account_id)
  ))
$$;

-- From 20261130034613_instagram_login_callbacks (the login a callback is about).
create or replace function public.deauthorize_meta_user(
  p_meta_user_id text,
  p_connected_via public.social_media_connection_method default 'facebook_login'
)
returns setof public.social_media_accounts
language sql
set search_path = ''
as $$
  select * from private.deactivate_social_media_accounts(
    array(select id from public.social_media_accounts
          where meta_user_id = p_meta_user_id and connected_via = p_connected_via),
    case p_connected_via when 'instagram_login' then 'The app was removed on Instagram.'
                         else 'The app was removed on Facebook.' end
  )
$$;

-- ---------------------------------------------------------------------------------------------
-- Indexes that are a prefix of a unique key: the key's own index serves the same lookups.
-- ---------------------------------------------------------------------------------------------
drop index if exists public.social_media_accounts_user_id_idx;  -- (user_id, platform, account_id)
drop index if exists public.idx_smi_user_platform;              -- smi_unique (user_id, platform, ...)

-- ---------------------------------------------------------------------------------------------
-- user_id (the JWT `sub`) and account_id are text everywhere; the insights table had varchar(255).
-- varchar to text needs no rewrite. The users' policy reads user_id, so it is set aside meanwhile.
-- ---------------------------------------------------------------------------------------------
drop policy "Users can view their own social media insights" on public.social_media_insights;
alter table public.social_media_insights alter column user_id type text, alter column account_id type text;
create policy "Users can view their own social media insights"
  on public.social_media_insights for select to authenticated
  using (user_id = (select auth.jwt() ->> 'sub'));

-- ---------------------------------------------------------------------------------------------
-- The cron history job prunes this package's jobs' history only; other jobs of the project keep
-- whatever retention their owners chose. cron.schedule replaces a job of the same name.
-- ---------------------------------------------------------------------------------------------
select cron.schedule(
  'social-link-prune-cron-history',
  '47 3 * * *',
  $$delete from cron.job_run_details
    where end_time < now() - interval '7 days'
      and jobid in (select jobid from cron.job where jobname like 'social-link-%')$$
);
