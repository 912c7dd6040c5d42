-- The webhook service's bookkeeping (migration 20261124090000): who may reach the OAuth state and
-- data-deletion tables and RPCs, and what the RPCs do.
begin;
create extension if not exists pgtap with schema extensions;
set search_path = public, extensions;
select plan(22);

insert into social_media_accounts (id, user_id, platform, account_id, account_name, meta_user_id)
values ('cccccccc-0000-0000-0000-000000000001', 'user_2clerkC', 'facebook', 'page-c', 'Page C', 'meta-c'),
       ('cccccccc-0000-0000-0000-000000000002', 'user_2clerkC', 'instagram', 'ig-c', 'IG C', 'meta-c'),
       ('dddddddd-0000-0000-0000-000000000001', 'user_2clerkD', 'facebook', 'page-d', 'Page D', 'meta-d');
insert into private.social_media_tokens (account_id, access_token)
values ('cccccccc-0000-0000-0000-000000000001', 'ciphertext-c1'),
       ('cccccccc-0000-0000-0000-000000000002', 'ciphertext-c2'),
       ('dddddddd-0000-0000-0000-000000000001', 'ciphertext-d');
insert into social_media_insights (user_id, platform, account_id, period, window_start, window_end, metrics)
values ('user_2clerkC', 'facebook', 'page-c', 'hour', '2026-01-01 00:00Z', '2026-01-01 01:00Z', '{}'),
       ('user_2clerkD', 'facebook', 'page-d', 'hour', '2026-01-01 00:00Z', '2026-01-01 01:00Z', '{}');

select ok((select relrowsecurity from pg_class where oid = 'private.oauth_states'::regclass), 'RLS is on for OAuth states');
select ok((select relrowsecurity from pg_class where oid = 'private.meta_data_deletion_requests'::regclass),
  'RLS is on for data deletion requests');

-- anon and authenticated reach none of it -----------------------------------------------------------
set local role anon;
set local request.jwt.claims = '{"role": "anon"}';
select throws_ok($$select * from private.oauth_states$$, '42501', null, 'anon cannot read OAuth states');
select throws_ok($$select public.consume_oauth_state('n', now())$$, '42501', null, 'anon cannot consume a state');
select throws_ok($$select public.delete_meta_user_data('meta-c', 'x')$$, '42501', null, 'anon cannot delete data');
select throws_ok($$select public.meta_data_deletion_status('x')$$, '42501', null, 'anon cannot read a deletion status');
reset role;

set local role authenticated;
set local request.jwt.claims = '{"sub": "user_2clerkC", "role": "authenticated"}';
select throws_ok($$select * from private.meta_data_deletion_requests$$, '42501', null,
  'a user cannot read data deletion requests');
select throws_ok($$select public.consume_oauth_state('n', now())$$, '42501', null, 'a user cannot consume a state');
select throws_ok($$select public.disconnect_social_media_accounts('user_2clerkC', 'facebook')$$, '42501', null,
  'a user cannot call the disconnect RPC (the service does, after checking the JWT)');
select throws_ok($$select public.deauthorize_meta_user('meta-c')$$, '42501', null, 'a user cannot deauthorize');
reset role;

-- service_role -----------------------------------------------------------------------------------------
set local role service_role;
set local request.jwt.claims = '{"role": "service_role"}';
select is(public.consume_oauth_state('nonce-1', now() + interval '10 minutes'), true, 'a new state is accepted');
select is(public.consume_oauth_state('nonce-1', now() + interval '10 minutes'), false, 'its replay is refused');
select is(public.consume_oauth_state('nonce-2', now() + interval '10 minutes'), true, 'another state is accepted');

select results_eq($$select account_id from public.disconnect_social_media_accounts('user_2clerkC', 'instagram')$$,
  array['ig-c'], 'disconnect deactivates exactly the platform''s accounts');
select is((select is_active from social_media_accounts where account_id = 'ig-c'), false, 'the account is inactive');
select is_empty($$select 1 from private.social_media_tokens where account_id = 'cccccccc-0000-0000-0000-000000000002'$$,
  'its token is erased');

select results_eq($$select status::text from public.deauthorize_meta_user('meta-d')$$, array['needs_reauth'],
  'deauthorize marks the Meta user''s accounts for a new login');
select is_empty($$select 1 from private.social_media_tokens where account_id = 'dddddddd-0000-0000-0000-000000000001'$$,
  'and erases their tokens');

select is(public.delete_meta_user_data('meta-c', 'code-c') ->> 'accounts_deleted', '2',
  'data deletion deletes the Meta user''s accounts');
select is_empty($$select 1 from social_media_insights where user_id = 'user_2clerkC'$$, 'and their insights');
select isnt_empty($$select 1 from social_media_insights where user_id = 'user_2clerkD'$$, 'but nobody else''s');
select is(public.meta_data_deletion_status('code-c') ->> 'status', 'completed', 'the request''s status is kept');
reset role;

select * from finish();
rollback;
