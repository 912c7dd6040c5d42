-- Connection health (migrations 20261130034610 to 20261130034613): the `expiring` status kept in step with
-- expiring_from, the status history in social_media_account_events (and who may read it), the
-- service RPCs for health, token refresh and its selection, and the daily jobs.
begin;
create extension if not exists pgtap with schema extensions;
set search_path = public, extensions;
select plan(39);

insert into social_media_accounts (id, user_id, platform, account_id, account_name, connected_via, token_expires_at)
values ('eeeeeeee-0000-0000-0000-000000000001', 'user_health_e', 'instagram', 'ig-e-9d', 'IG 9 days', 'instagram_login',
        now() + interval '9 days'),
       ('eeeeeeee-0000-0000-0000-000000000002', 'user_health_e', 'instagram', 'ig-e-30d', 'IG 30 days', 'instagram_login',
        now() + interval '30 days'),
       ('eeeeeeee-0000-0000-0000-000000000003', 'user_health_e', 'facebook', 'page-e', 'Page E', 'facebook_login', null),
       ('ffffffff-0000-0000-0000-000000000001', 'user_health_f', 'facebook', 'page-f', 'Page F', 'facebook_login', null);
insert into private.social_media_tokens (account_id, access_token)
values ('eeeeeeee-0000-0000-0000-000000000001', 'ciphertext-9d'),
       ('eeeeeeee-0000-0000-0000-000000000002', 'ciphertext-30d'),
       ('eeeeeeee-0000-0000-0000-000000000003', 'ciphertext-page-e');

select is((select count(*)::int from social_media_account_events where user_id = 'user_health_e'), 3,
  'a first row is an event (from nothing to connected)');
select is((select from_status from social_media_account_events where account_id = 'page-e'), null,
  'its from_status is null');

-- The status follows expiring_from -----------------------------------------------------------------
select is((select status::text from record_social_media_account_health(jsonb_build_array(jsonb_build_object(
    'id', 'eeeeeeee-0000-0000-0000-000000000003', 'data_access_expires_at', now() + interval '3 days',
    'expiring_from', now() - interval '4 days', 'missing_permissions', jsonb_build_array('read_insights'))))),
  'expiring', 'data access ending within the window makes the account expiring');
select is((select reconnect_by from social_media_accounts where account_id = 'page-e'), now() + interval '3 days',
  'reconnect_by is the earlier of the token''s and data access''s end');
select is((select missing_permissions from social_media_accounts where account_id = 'page-e'), array['read_insights'],
  'missing permissions are recorded');
select is((select row(from_status::text, to_status::text, reason) from social_media_account_events
           where account_id = 'page-e' and from_status is not null),
  row('connected'::text, 'expiring'::text, 'Reconnect before ' || to_char((now() + interval '3 days') at time zone 'UTC',
                                                              'YYYY-MM-DD HH24:MI "UTC"')),
  'the change is an event saying when to reconnect by');

update social_media_accounts set status = 'connected', last_synced_at = now() where account_id = 'page-e';
select is((select status::text from social_media_accounts where account_id = 'page-e'), 'expiring',
  'a good sync writing connected does not hide that the account is expiring');
select is((select count(*)::int from social_media_account_events where account_id = 'page-e'), 2,
  'and writes no event');

update social_media_accounts set status = 'needs_reauth', last_error = 'Token expired' where account_id = 'page-e';
select is((select row(from_status::text, to_status::text, reason) from social_media_account_events
           where account_id = 'page-e' order by id desc limit 1),
  row('expiring'::text, 'needs_reauth'::text, 'Token expired'::text), 'needs_reauth is an event with the error as reason');
select is((select status::text from record_social_media_account_health(jsonb_build_array(jsonb_build_object(
    'id', 'eeeeeeee-0000-0000-0000-000000000003', 'status', 'connected', 'last_error', null,
    'data_access_expires_at', now() + interval '90 days', 'expiring_from', now() + interval '83 days')))),
  'connected', 'a reconnect with fresh data access is connected again');

-- Token refresh --------------------------------------------------------------------------------------
set local role service_role;
select results_eq($$select account_id from instagram_tokens_to_refresh(interval '10 days') where user_id = 'user_health_e'$$,
  array['ig-e-9d'], 'the token 9 days from its end is due, the one 30 days away is not');
select is((select count(*)::int from instagram_tokens_to_refresh(interval '31 days') where user_id = 'user_health_e'), 2,
  'both within 31 days');
select ok(save_refreshed_instagram_token('eeeeeeee-0000-0000-0000-000000000001', 'ciphertext-9d', 'ciphertext-new',
                                         now() + interval '60 days', now() + interval '53 days'),
  'a refreshed token is saved');
select is((select access_token from private.social_media_tokens where account_id = 'eeeeeeee-0000-0000-0000-000000000001'),
  'ciphertext-new', 'with its new ciphertext');
select is((select token_expires_at from social_media_accounts where account_id = 'ig-e-9d'), now() + interval '60 days',
  'and its new expiry');
select is((select count(*)::int from instagram_tokens_to_refresh(interval '10 days') where user_id = 'user_health_e'), 0,
  'and is no longer due');
select ok(not save_refreshed_instagram_token('eeeeeeee-0000-0000-0000-000000000001', 'ciphertext-9d', 'ciphertext-late',
                                             now() + interval '60 days', null),
  'a refresh that started from a token replaced meanwhile saves nothing');
select is((select access_token from private.social_media_tokens where account_id = 'eeeeeeee-0000-0000-0000-000000000001'),
  'ciphertext-new', 'the newer token stays');
select results_eq($$select account_id from social_media_accounts_for_health_check(now()) where user_id = 'user_health_e'
                    order by account_id$$,
  array['ig-e-30d', 'ig-e-9d'], 'accounts not checked since the cut-off are due for the health check');
reset role;

-- Who reads the events --------------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = '{"role": "authenticated", "sub": "user_health_f"}';
select results_eq($$select account_id from social_media_account_events$$, array['page-f'],
  'a user reads the events of their own accounts only');
select throws_ok($$insert into social_media_account_events (social_media_account_id, user_id, platform, account_id, to_status)
                   values ('ffffffff-0000-0000-0000-000000000001', 'user_health_f', 'facebook', 'page-f', 'connected')$$,
  '42501', null, 'and cannot write one');
select throws_ok($$select record_social_media_account_health('[]')$$, '42501', null, 'nor record health');
select throws_ok($$select * from instagram_tokens_to_refresh()$$, '42501', null, 'nor list tokens to refresh');
reset role;
set local role anon;
set local request.jwt.claims = '{"role": "anon"}';
select throws_ok($$select * from social_media_account_events$$, '42501', null, 'anon reads no events');
reset role;

-- The daily jobs -----------------------------------------------------------------------------------------
select is((select schedule from cron.job where jobname = 'social-link-refresh-instagram-tokens'), '20 4 * * *',
  'the token refresh runs daily, by name');
select is((select command from cron.job where jobname = 'social-link-refresh-instagram-tokens'),
  $$select private.enqueue_instagram_token_refresh(interval '10 days')$$, 'it queues the due tokens');
update social_media_accounts set token_expires_at = now() + interval '2 days' where account_id = 'ig-e-30d';
select ok(private.enqueue_instagram_token_refresh(interval '10 days') >= 1, 'due tokens are queued');
select ok(exists (select 1 from pgmq.q_social_link_sync_low
                  where message ->> 'kind' = 'token_refresh'
                    and message -> 'accounts' ? 'eeeeeeee-0000-0000-0000-000000000002'),
  'as a token_refresh message on the sync queue naming the account');
select is((select count(*)::int from cron.job where jobname = 'social-link-check-connection-health'), 1,
  'the health check is scheduled once, by name');

update social_media_accounts set expiring_from = now() + interval '1 day', status = 'connected' where account_id = 'page-f';
update social_media_accounts set expiring_from = now() - interval '1 minute' where account_id = 'page-f';
select is((select status::text from social_media_accounts where account_id = 'page-f'), 'expiring',
  'any write after the window began makes the account expiring');
-- A window that began with no write since (time passed): the daily job marks it.
alter table social_media_accounts disable trigger social_media_accounts_status_by_expiry;
update social_media_accounts set status = 'connected' where account_id = 'page-f';
alter table social_media_accounts enable trigger social_media_accounts_status_by_expiry;
select cmp_ok(mark_expiring_social_media_accounts(), '>=', 1, 'the daily job marks accounts whose window began');
select is((select status::text from social_media_accounts where account_id = 'page-f'), 'expiring',
  'such as one whose window began without a write');

delete from vault.secrets where name like 'social_link_%';
select throws_ok($$select private.request_social_link_task('/x', '{}')$$, 'P0001',
  'Vault secrets social_link_service_url and social_link_cron_secret must be set', 'missing secrets fail the job');
\o /dev/null
select vault.create_secret('http://service.test/', 'social_link_service_url');
select vault.create_secret('cron-secret-for-pgtap', 'social_link_cron_secret');
\o
delete from net.http_request_queue;
select private.request_social_link_task('/api/v1/social-media/health/check', '{}');
select is((select url from net.http_request_queue), 'http://service.test/api/v1/social-media/health/check',
  'the health check is a POST to the service URL from Vault');
select is((select headers ->> 'Authorization' from net.http_request_queue), 'Bearer cron-secret-for-pgtap',
  'with the cron secret');

-- Meta's callbacks name the login they are about -------------------------------------------------------
insert into social_media_accounts (user_id, platform, account_id, meta_user_id, connected_via)
values ('user_health_g', 'instagram', 'ig-login-g', 'shared-id', 'instagram_login'),
       ('user_health_g', 'facebook', 'page-g', 'shared-id', 'facebook_login');
select results_eq($$select account_id || ': ' || last_error from deauthorize_meta_user('shared-id', 'instagram_login')$$,
  array['ig-login-g: The app was removed on Instagram.'], 'an Instagram deauthorize reaches Instagram Login accounts only');
select ok((select is_active from social_media_accounts where account_id = 'page-g'), 'the Facebook Login account stays');
select is(delete_meta_user_data('shared-id', 'code-g', 'instagram_login') ->> 'accounts_deleted', '1',
  'an Instagram data deletion deletes Instagram Login accounts only');
select results_eq($$select account_id from social_media_accounts where user_id = 'user_health_g'$$, array['page-g'],
  'the Facebook Login account is kept');

select * from finish();
rollback;
