-- The policy matrix: anon, user A, user B and service_role against both tables, the token table
-- and the service RPCs. Claims are set the way PostgREST sets them (request.jwt.claims).
begin;
create extension if not exists pgtap with schema extensions;
set search_path = public, extensions;
select plan(30);

-- Fixtures, written as the migration owner.
insert into social_media_accounts (id, user_id, platform, account_id, account_name)
values ('aaaaaaaa-0000-0000-0000-000000000001', 'user_2clerkA', 'facebook', 'page-a', 'Page A'),
       ('aaaaaaaa-0000-0000-0000-000000000002', 'user_2clerkA', 'instagram', 'ig-a', 'IG A'),
       ('bbbbbbbb-0000-0000-0000-000000000001', 'user_2clerkB', 'facebook', 'page-b', 'Page B');
insert into private.social_media_tokens (account_id, access_token)
values ('aaaaaaaa-0000-0000-0000-000000000001', 'ciphertext-a');
insert into social_media_insights (user_id, platform, account_id, period, window_start, window_end, metrics)
values ('user_2clerkA', 'facebook', 'page-a', 'hour', '2026-01-01 00:00Z', '2026-01-01 01:00Z', '{"page_media_view": 5}'),
       ('user_2clerkB', 'facebook', 'page-b', 'hour', '2026-01-01 00:00Z', '2026-01-01 01:00Z', '{"page_media_view": 9}');

-- anon ---------------------------------------------------------------------------------------
set local role anon;
set local request.jwt.claims = '{"role": "anon"}';
select throws_ok($$select * from social_media_accounts$$, '42501', null, 'anon cannot read accounts');
select throws_ok($$select * from social_media_insights$$, '42501', null, 'anon cannot read insights');
select throws_ok($$select * from private.social_media_tokens$$, '42501', null, 'anon cannot reach tokens');
select throws_ok($$insert into social_media_accounts (user_id, platform, account_id) values ('x', 'facebook', 'x')$$,
  '42501', null, 'anon cannot insert accounts');
select throws_ok($$select public.social_media_sync_accounts('{}')$$, '42501', null, 'anon cannot call the sync RPC');
reset role;

-- user A (a Clerk id: not a uuid) ----------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = '{"sub": "user_2clerkA", "role": "authenticated"}';
select results_eq($$select account_id from social_media_accounts order by account_id$$,
  array['ig-a', 'page-a'], 'user A sees exactly their own accounts');
select results_eq($$select (metrics ->> 'page_media_view')::int from social_media_insights$$,
  array[5], 'user A sees exactly their own insights');
select lives_ok($$select * from social_media_accounts$$, 'select * works for the owner (no hidden columns)');
select throws_ok($$select * from private.social_media_tokens$$, '42501', null, 'user A cannot reach tokens');
select throws_ok($$select access_token from private.social_media_tokens where account_id = 'aaaaaaaa-0000-0000-0000-000000000001'$$,
  '42501', null, 'user A cannot read even their own token');
select throws_ok($$insert into social_media_accounts (user_id, platform, account_id) values ('user_2clerkA', 'facebook', 'new')$$,
  '42501', null, 'user A cannot insert accounts');
select throws_ok($$update social_media_accounts set account_name = 'hacked' where account_id = 'page-a'$$,
  '42501', null, 'user A cannot update their accounts');
select throws_ok($$delete from social_media_accounts where account_id = 'page-a'$$,
  '42501', null, 'user A cannot delete their accounts');
select throws_ok($$insert into social_media_insights (user_id, platform, account_id, period, window_start, window_end, metrics)
                   values ('user_2clerkA', 'facebook', 'page-a', 'day', now(), now() + interval '1 day', '{}')$$,
  '42501', null, 'user A cannot insert insights');
select throws_ok($$update social_media_insights set metrics = '{}'$$, '42501', null, 'user A cannot update insights');
select throws_ok($$delete from social_media_insights$$, '42501', null, 'user A cannot delete insights');
select throws_ok($$select public.upsert_social_media_accounts('[]')$$, '42501', null, 'user A cannot call the upsert RPC');
select throws_ok($$select public.social_media_sync_accounts('{}')$$, '42501', null, 'user A cannot call the sync RPC');

-- user B ----------------------------------------------------------------------------------------
set local request.jwt.claims = '{"sub": "user_2clerkB", "role": "authenticated"}';
select results_eq($$select account_id from social_media_accounts$$, array['page-b'], 'user B sees only their own account');
select is_empty($$select * from social_media_accounts where user_id = 'user_2clerkA'$$, 'user B cannot see user A''s accounts even by asking');
select is_empty($$select * from social_media_insights where user_id = 'user_2clerkA'$$, 'user B cannot see user A''s insights');

-- a token with no sub sees nothing ----------------------------------------------------------------
set local request.jwt.claims = '{"role": "authenticated"}';
select is_empty($$select * from social_media_accounts$$, 'an authenticated token without sub sees no accounts');

-- the seed's demo users --------------------------------------------------------------------------
set local request.jwt.claims = '{"sub": "user_demo_maya", "role": "authenticated"}';
select results_eq($$select platform::text from social_media_accounts order by platform$$,
  array['facebook', 'instagram'], 'seed: demo Alice sees her Facebook and Instagram accounts');
select ok((select count(*) from social_media_insights where period = 'hour') >= 48,
  'seed: demo Alice has hourly insights');
select is_empty($$select * from social_media_accounts where user_id = 'user_demo_theo'$$, 'seed: demo Maya cannot see demo Theo');
reset role;

-- service_role --------------------------------------------------------------------------------------
set local role service_role;
set local request.jwt.claims = '{"role": "service_role"}';
select ok((select count(*) from social_media_accounts where user_id like 'user_2clerk%') = 3, 'service_role sees every account');
select lives_ok($$update social_media_accounts set last_error = null where account_id = 'page-b'$$, 'service_role updates accounts');
select results_eq(
  $$select access_token from public.social_media_sync_accounts(
      array(select id from social_media_accounts where user_id = 'user_2clerkA' and account_id = 'page-a'))$$,
  array['ciphertext-a'], 'the sync RPC returns the token ciphertext of the accounts asked for');
select results_eq(
  $$select account_name from public.upsert_social_media_accounts(
      '[{"user_id": "user_2clerkA", "platform": "facebook", "account_id": "page-a", "account_name": "Page A renamed", "access_token": "ciphertext-a2"}]')$$,
  array['Page A renamed'], 'the upsert RPC renames in place');
select results_eq($$select access_token from private.social_media_tokens where account_id = 'aaaaaaaa-0000-0000-0000-000000000001'$$,
  array['ciphertext-a2'], 'the upsert RPC replaces the token');
reset role;

select * from finish();
rollback;
