-- Tables, constraints, indexes, the updated_at trigger, and RLS switched on everywhere.
begin;
create extension if not exists pgtap with schema extensions;
set search_path = public, extensions;
select plan(28);

select has_table('public', 'social_media_accounts', 'accounts table exists');
select has_table('public', 'social_media_insights', 'insights table exists');
select has_table('private', 'social_media_tokens', 'tokens live in the private schema');
select enum_has_labels('public', 'social_media_platform', array['facebook', 'instagram'], 'platform enum');
select enum_has_labels('public', 'social_media_account_status', array['connected', 'expiring', 'needs_reauth', 'error'],
  'status enum (expiring: added by 20261130034610)');

select col_type_is('public', 'social_media_accounts', 'user_id', 'text', 'user_id is text (Clerk ids are not uuids)');
select col_hasnt_default('public', 'social_media_accounts', 'user_id', 'user_id has no default');
select hasnt_column('public', 'social_media_accounts', 'access_token', 'no token column a browser could select');
select hasnt_column('public', 'social_media_accounts', 'refresh_token', 'no refresh token column either');
select col_is_unique('public', 'social_media_accounts', array['user_id', 'platform', 'account_id'], 'accounts upsert key');
select col_is_unique('public', 'social_media_insights', array['user_id', 'period', 'window_start', 'platform', 'account_id'], 'insights upsert key (ordered for the read RPC: 20261130045351)');
select hasnt_index('public', 'social_media_insights', 'idx_smi_user_platform', 'no index that is a prefix of smi_unique');
select hasnt_index('public', 'social_media_insights', 'idx_smi_account_period', 'no index on (account_id, period): no query starts there');
select has_index('public', 'social_media_insights', 'idx_smi_window_start_brin', 'a BRIN index on window_start for retention');
select hasnt_index('public', 'social_media_accounts', 'social_media_accounts_user_id_idx',
  'no index that is a prefix of the accounts upsert key (which leads with the RLS column)');
select col_type_is('public', 'social_media_insights', 'user_id', 'text', 'user_id is text in the insights too');
select has_trigger('public', 'social_media_insights', 'update_smi_updated_at', 'insights updated_at trigger');
select has_trigger('public', 'social_media_accounts', 'update_social_media_accounts_updated_at', 'accounts updated_at trigger');

select throws_ok(
  $$insert into social_media_insights (user_id, platform, account_id, period, window_start, window_end, metrics)
    values ('u', 'facebook', '1', 'week', now(), now() + interval '1 hour', '{}')$$,
  '23514', null, 'period must be hour or day');
select throws_ok(
  $$insert into social_media_insights (user_id, platform, account_id, period, window_start, window_end, metrics)
    values ('u', 'facebook', '1', 'hour', now(), now(), '{}')$$,
  '23514', null, 'window_end must be after window_start');
select throws_ok(
  $$insert into social_media_accounts (user_id, platform, account_id) values ('u', 'tiktok', '1')$$,
  '22P02', null, 'platform outside the enum is refused');

insert into social_media_insights (user_id, platform, account_id, period, window_start, window_end, metrics, updated_at)
values ('trigger_user', 'facebook', '1', 'hour', '2026-01-01 00:00Z', '2026-01-01 01:00Z', '{"a": 1}', '2000-01-01');
update social_media_insights set metrics = '{"a": 2}' where user_id = 'trigger_user';
select ok((select updated_at > '2020-01-01' from social_media_insights where user_id = 'trigger_user'),
          'the trigger refreshes updated_at on update');

select throws_ok(
  $$insert into social_media_accounts (user_id, platform, account_id) values ('dup', 'facebook', '1'), ('dup', 'facebook', '1')$$,
  '23505', null, 'the same (user, platform, account) cannot be stored twice');
insert into social_media_accounts (user_id, platform, account_id, account_name) values ('rename', 'facebook', '7', 'Old name');
select lives_ok(
  $$insert into social_media_accounts (user_id, platform, account_id, account_name) values ('rename', 'facebook', '8', 'Old name')$$,
  'two Pages may share a name (the old account_name uniqueness is gone)');

select is(
  (select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname in ('public', 'private') and c.relkind = 'r' and not c.relrowsecurity),
  0, 'every table in public and private has RLS enabled');

select is(
  (select count(*)::int from supabase_migrations.schema_migrations), 
  (select count(*)::int from supabase_migrations.schema_migrations where version ~ '^[0-9]{14}$'),
  'migration versions are <YYYYMMDDHHMMSS> timestamps');

select function_privs_are('public', 'upsert_social_media_accounts', array['jsonb'], 'authenticated', array[]::text[],
  'browsers cannot call the account upsert RPC');
select function_privs_are('public', 'social_media_sync_accounts', array['uuid[]'], 'anon', array[]::text[],
  'browsers cannot list accounts with tokens');

select * from finish();
rollback;
