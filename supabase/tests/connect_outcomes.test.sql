-- Migration 20261130043431: the last connect outcome per user and platform under RLS, and
-- disconnecting one account.
begin;
create extension if not exists pgtap with schema extensions;
set search_path = public, extensions;
select plan(12);

insert into social_media_accounts (id, user_id, platform, account_id, account_name)
values ('eeeeeeee-0000-0000-0000-000000000001', 'user_2clerkE', 'facebook', 'page-e1', 'Page E1'),
       ('eeeeeeee-0000-0000-0000-000000000002', 'user_2clerkE', 'facebook', 'page-e2', 'Page E2');
insert into private.social_media_tokens (account_id, access_token)
values ('eeeeeeee-0000-0000-0000-000000000001', 'ciphertext-e1'),
       ('eeeeeeee-0000-0000-0000-000000000002', 'ciphertext-e2');
insert into social_media_connect_outcomes (user_id, platform, connected, reason, message, missing_permissions)
values ('user_2clerkE', 'facebook', true, null, null, '{}'),
       ('user_2clerkE', 'instagram', false, 'missing_permissions', 'Facebook did not grant ...', '{instagram_basic}'),
       ('user_2clerkF', 'instagram', false, 'no_pages', 'No Facebook Page ...', '{}');

select ok((select relrowsecurity from pg_class where oid = 'public.social_media_connect_outcomes'::regclass),
  'RLS is on for connect outcomes');
select throws_ok($$insert into social_media_connect_outcomes (user_id, platform, connected, reason) values ('x', 'facebook', true, 'no_pages')$$,
  '23514', null, 'a connected outcome has no reason');

-- Users can view their own connect outcomes ---------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = '{"sub": "user_2clerkE", "role": "authenticated"}';
select results_eq($$select platform::text || ':' || coalesce(reason, 'connected') from social_media_connect_outcomes order by platform$$,
  array['facebook:connected', 'instagram:missing_permissions'], 'a user reads their own outcomes');
select is((select missing_permissions from social_media_connect_outcomes where platform = 'instagram'), array['instagram_basic'],
  'with the permissions Facebook did not grant');
select throws_ok($$insert into social_media_connect_outcomes (user_id, platform, connected) values ('user_2clerkE', 'facebook', true)$$,
  '42501', null, 'a user cannot write an outcome');
select throws_ok($$update social_media_connect_outcomes set connected = true, reason = null$$, '42501', null, 'nor change one');
select throws_ok($$select public.disconnect_social_media_account('user_2clerkE', 'facebook', 'page-e1')$$, '42501', null,
  'a user cannot call the one-account disconnect RPC');
reset role;

set local role anon;
set local request.jwt.claims = '{"role": "anon"}';
select throws_ok($$select * from social_media_connect_outcomes$$, '42501', null, 'anon cannot read outcomes');
reset role;

-- Service role can manage connect outcomes; disconnecting one account -------------------------------------
set local role service_role;
set local request.jwt.claims = '{"role": "service_role"}';
select is((select count(*)::int from social_media_connect_outcomes where user_id in ('user_2clerkE', 'user_2clerkF')), 3,
  'the service reads every outcome, whoever it belongs to');
select results_eq($$select account_id from public.disconnect_social_media_account('user_2clerkE', 'facebook', 'page-e1')$$,
  array['page-e1'], 'disconnecting one account deactivates that account alone');
select results_eq($$select account_id || ':' || is_active from social_media_accounts where user_id = 'user_2clerkE' order by account_id$$,
  array['page-e1:false', 'page-e2:true'], 'the other Page stays connected');
select results_eq($$select access_token from private.social_media_tokens where account_id in
  ('eeeeeeee-0000-0000-0000-000000000001', 'eeeeeeee-0000-0000-0000-000000000002')$$,
  array['ciphertext-e2'], 'only the disconnected account''s token is erased');

select * from finish();
rollback;
