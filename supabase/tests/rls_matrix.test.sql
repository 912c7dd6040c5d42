-- The access matrix: every table and every routine (RPC) in schemas public and private, for each
-- caller a browser or the service can be (anon, user A, user B, service_role), with the outcome
-- expected of select / insert / update / delete on each table and of execute on each routine.
--
-- Callers are set up the way PostgREST does it (role and request.jwt.claims, per transaction).
-- Each cell runs in its own subtransaction that is always rolled back, so cells cannot affect
-- each other, and reports one outcome:
--   denied      SQLSTATE 42501 (no privilege on the schema, table or routine, or refused by a policy)
--   rows=N      the statement ran and read or wrote N of this file's fixture rows
--   error XXXXX anything else (for a routine called with NULL arguments: it ran past the privilege check)
-- Expectations are written with symbols that the loop turns into outcomes:
--   own = rows=<the caller's fixture rows>, all = rows=<every fixture row>, one = rows=1,
--   runs = anything but denied, trigger_only = error 0A000 (a trigger function cannot be called).
-- The last two tests fail when a table or routine appears that the matrix does not list.
begin;
create extension if not exists pgtap with schema extensions;
set search_path = public, extensions;

-- ---------------------------------------------------------------------------------------------
-- Fixture rows: users A and B each own rows in every table that has an owner; a cron run and
-- service-only rows belong to nobody. Written as the migration owner.
-- ---------------------------------------------------------------------------------------------
insert into public.social_media_accounts (id, user_id, platform, account_id, account_name)
values ('a0000000-0000-0000-0000-00000000000a', 'rls_user_a', 'facebook', 'rls-page-a', 'Page A'),
       ('a0000000-0000-0000-0000-0000000000a2', 'rls_user_a', 'instagram', 'rls-ig-a', 'IG A'),
       ('b0000000-0000-0000-0000-00000000000b', 'rls_user_b', 'facebook', 'rls-page-b', 'Page B');
insert into private.social_media_tokens (account_id, access_token)
values ('a0000000-0000-0000-0000-00000000000a', 'ciphertext-a'),
       ('b0000000-0000-0000-0000-00000000000b', 'ciphertext-b');
insert into public.social_media_insights (user_id, platform, account_id, period, window_start, window_end, metrics)
values ('rls_user_a', 'facebook', 'rls-page-a', 'hour', date_trunc('hour', now()), date_trunc('hour', now()) + interval '1 hour', '{"page_media_view": 5}'),
       ('rls_user_a', 'instagram', 'rls-ig-a', 'hour', date_trunc('hour', now()), date_trunc('hour', now()) + interval '1 hour', '{"reach": 4}'),
       ('rls_user_b', 'facebook', 'rls-page-b', 'hour', date_trunc('hour', now()), date_trunc('hour', now()) + interval '1 hour', '{"page_media_view": 9}');
insert into public.social_media_sync_runs (id, trigger, requested_by, user_id, window_start, window_end)
values ('c0000000-0000-0000-0000-00000000000c', 'cron', null, null, '2026-01-01 00:00Z', '2026-01-01 01:00Z'),
       ('c0000000-0000-0000-0000-0000000000ca', 'sync_now', 'rls_user_a', 'rls_user_a', '2026-01-01 00:00Z', '2026-01-01 01:00Z'),
       ('c0000000-0000-0000-0000-0000000000cb', 'sync_now', 'rls_user_b', 'rls_user_b', '2026-01-01 00:00Z', '2026-01-01 01:00Z');
insert into public.social_media_sync_run_accounts (run_id, social_media_account_id, user_id, platform, account_id, status)
values ('c0000000-0000-0000-0000-00000000000c', 'a0000000-0000-0000-0000-00000000000a', 'rls_user_a', 'facebook', 'rls-page-a', 'synced'),
       ('c0000000-0000-0000-0000-00000000000c', 'b0000000-0000-0000-0000-00000000000b', 'rls_user_b', 'facebook', 'rls-page-b', 'failed');
insert into public.social_media_posts (id, social_media_account_id, user_id, platform, account_id, post_id,
                                       media_product_type, published_at, metrics)
values ('d0000000-0000-0000-0000-00000000000a', 'a0000000-0000-0000-0000-00000000000a', 'rls_user_a', 'facebook',
        'rls-page-a', 'rls-post-a', 'POST', now() - interval '1 day', '{"post_media_view": 3}'),
       ('d0000000-0000-0000-0000-00000000000b', 'b0000000-0000-0000-0000-00000000000b', 'rls_user_b', 'facebook',
        'rls-page-b', 'rls-post-b', 'POST', now() - interval '1 day', '{"post_media_view": 7}');
insert into public.social_media_post_insights (social_media_post_id, user_id, snapshot_date, metrics, fetched_at)
values ('d0000000-0000-0000-0000-00000000000a', 'rls_user_a', '2026-01-01', '{"post_media_view": 3}', now()),
       ('d0000000-0000-0000-0000-00000000000b', 'rls_user_b', '2026-01-01', '{"post_media_view": 7}', now());
insert into private.oauth_states (nonce, expires_at)
values ('rls-nonce-1', now() + interval '1 hour'), ('rls-nonce-2', now() + interval '1 hour');
insert into private.meta_data_deletion_requests (confirmation_code) values ('rls-code-1');
insert into private.social_media_sync_holds (scope, held_until, status, reason)
values ('rls-hold-1', now() + interval '1 hour', 'rate_limited', 'rls');
insert into public.social_media_connect_outcomes (user_id, platform, connected, reason)
values ('rls_user_a', 'instagram', false, 'no_instagram_business_account'),
       ('rls_user_b', 'facebook', true, null);
insert into private.social_media_sync_pending (social_media_account_id, window_start, run_id, kind)
values ('a0000000-0000-0000-0000-00000000000a', '2026-01-01 00:00Z', 'c0000000-0000-0000-0000-00000000000c', 'account_snapshot');
insert into private.social_media_sync_message_errors (queue, msg_id, error) values ('rls_queue', 1, 'rls error');

-- ---------------------------------------------------------------------------------------------
-- Callers, and the tables: which rows are this file's (scope), whose they are (owner column),
-- a column an update may set to itself, and a row the caller tries to insert (%L: their sub).
-- ---------------------------------------------------------------------------------------------
create temp table rls_callers (caller text primary key, role name, sub text, claims text) on commit drop;
insert into rls_callers values
  ('anon',         'anon',          null,         '{"role": "anon"}'),
  ('user_a',       'authenticated', 'rls_user_a', '{"role": "authenticated", "sub": "rls_user_a"}'),
  ('user_b',       'authenticated', 'rls_user_b', '{"role": "authenticated", "sub": "rls_user_b"}'),
  ('service_role', 'service_role',  null,         '{"role": "service_role"}');

create temp table rls_tables (tbl text primary key, scope text, owner_column text, touch_column text, insert_row text)
  on commit drop;
insert into rls_tables values
  ('public.social_media_accounts', $$user_id like 'rls\_user\__'$$, 'user_id', 'account_name',
   $$insert into public.social_media_accounts (user_id, platform, account_id) values (%L, 'facebook', 'rls-new')$$),
  ('public.social_media_insights', $$user_id like 'rls\_user\__'$$, 'user_id', 'metrics',
   $$insert into public.social_media_insights (user_id, platform, account_id, period, window_start, window_end, metrics)
     values (%L, 'facebook', 'rls-page-a', 'day', '2026-02-01Z', '2026-02-02Z', '{}')$$),
  ('public.social_media_sync_runs', $$id::text like 'c0000000-%'$$, 'requested_by', 'status',
   $$insert into public.social_media_sync_runs (trigger, requested_by, window_start, window_end)
     values ('sync_now', %L, '2026-02-01 00:00Z', '2026-02-01 01:00Z')$$),
  ('public.social_media_sync_run_accounts', $$user_id like 'rls\_user\__'$$, 'user_id', 'status',
   $$insert into public.social_media_sync_run_accounts (run_id, social_media_account_id, user_id, platform, account_id, status)
     values ('c0000000-0000-0000-0000-00000000000c', 'a0000000-0000-0000-0000-0000000000a2', %L, 'instagram', 'rls-ig-a', 'synced')$$),
  ('public.social_media_posts', $$post_id like 'rls-post-_'$$, 'user_id', 'caption_excerpt',
   $$insert into public.social_media_posts (social_media_account_id, user_id, platform, account_id, post_id,
                                           media_product_type, published_at)
     values ('a0000000-0000-0000-0000-0000000000a2', %L, 'instagram', 'rls-ig-a', 'rls-post-new', 'FEED', now())$$),
  ('public.social_media_post_insights', $$user_id like 'rls\_user\__'$$, 'user_id', 'metrics',
   $$insert into public.social_media_post_insights (social_media_post_id, user_id, snapshot_date, metrics, fetched_at)
     values ('d0000000-0000-0000-0000-00000000000a', %L, '2026-02-01', '{}', now())$$),
  ('public.social_media_connect_outcomes', $$user_id like 'rls\_user\__'$$, 'user_id', 'message',
   $$insert into public.social_media_connect_outcomes (user_id, platform, connected) values (%L, 'facebook', true)$$),
  ('private.social_media_tokens', $$access_token like 'ciphertext-_'$$, null, 'access_token',
   $$insert into private.social_media_tokens (account_id, access_token) values ('a0000000-0000-0000-0000-0000000000a2', 'ciphertext-new')$$),
  ('private.oauth_states', $$nonce like 'rls-nonce-%'$$, null, 'used_at',
   $$insert into private.oauth_states (nonce, expires_at) values ('rls-nonce-new', now() + interval '1 hour')$$),
  ('private.meta_data_deletion_requests', $$confirmation_code like 'rls-code-%'$$, null, 'status',
   $$insert into private.meta_data_deletion_requests (confirmation_code) values ('rls-code-new')$$),
  ('private.social_media_sync_holds', $$scope like 'rls-hold-%'$$, null, 'reason',
   $$insert into private.social_media_sync_holds (scope, held_until, status, reason)
     values ('rls-hold-new', now() + interval '1 hour', 'rate_limited', 'rls')$$),
  -- Its rows are the migration's; every signed-in user reads them all.
  ('public.social_media_metric_kinds', $$metric is not null$$, null, 'kind',
   $$insert into public.social_media_metric_kinds (platform, metric, kind) values ('facebook', 'rls_metric', 'additive')$$),
  -- Its fixture rows are the events of the fixture accounts' first rows (written by a trigger).
  ('public.social_media_account_events', $$account_id like 'rls-%'$$, 'user_id', 'reason',
   $$insert into public.social_media_account_events (social_media_account_id, user_id, platform, account_id, to_status)
     values ('a0000000-0000-0000-0000-00000000000a', %L, 'facebook', 'rls-page-a', 'connected')$$),
  ('private.social_media_sync_pending', $$run_id = 'c0000000-0000-0000-0000-00000000000c'$$, null, 'kind',
   $$insert into private.social_media_sync_pending (social_media_account_id, window_start, run_id, kind)
     values ('a0000000-0000-0000-0000-0000000000a2', '2026-01-01 00:00Z', 'c0000000-0000-0000-0000-00000000000c', 'account_snapshot')$$),
  ('private.social_media_sync_message_errors', $$queue = 'rls_queue'$$, null, 'error',
   $$insert into private.social_media_sync_message_errors (queue, msg_id, error) values ('rls_queue', 2, 'x')$$);

-- ---------------------------------------------------------------------------------------------
-- Expected outcomes: tables.
-- ---------------------------------------------------------------------------------------------
create temp table rls_table_expectations (tbl text, caller text, on_select text, on_insert text, on_update text, on_delete text)
  on commit drop;
insert into rls_table_expectations values
  -- table                                  caller          select    insert    update    delete
  ('public.social_media_accounts',          'anon',         'denied', 'denied', 'denied', 'denied'),
  ('public.social_media_accounts',          'user_a',       'own',    'denied', 'denied', 'denied'),
  ('public.social_media_accounts',          'user_b',       'own',    'denied', 'denied', 'denied'),
  ('public.social_media_accounts',          'service_role', 'all',    'one',    'all',    'all'),
  ('public.social_media_insights',          'anon',         'denied', 'denied', 'denied', 'denied'),
  ('public.social_media_insights',          'user_a',       'own',    'denied', 'denied', 'denied'),
  ('public.social_media_insights',          'user_b',       'own',    'denied', 'denied', 'denied'),
  ('public.social_media_insights',          'service_role', 'all',    'one',    'all',    'all'),
  ('public.social_media_sync_runs',         'anon',         'denied', 'denied', 'denied', 'denied'),
  ('public.social_media_sync_runs',         'user_a',       'own',    'denied', 'denied', 'denied'),
  ('public.social_media_sync_runs',         'user_b',       'own',    'denied', 'denied', 'denied'),
  ('public.social_media_sync_runs',         'service_role', 'all',    'one',    'all',    'all'),
  ('public.social_media_sync_run_accounts', 'anon',         'denied', 'denied', 'denied', 'denied'),
  ('public.social_media_sync_run_accounts', 'user_a',       'own',    'denied', 'denied', 'denied'),
  ('public.social_media_sync_run_accounts', 'user_b',       'own',    'denied', 'denied', 'denied'),
  ('public.social_media_sync_run_accounts', 'service_role', 'all',    'one',    'all',    'all'),
  ('public.social_media_posts',             'anon',         'denied', 'denied', 'denied', 'denied'),
  ('public.social_media_posts',             'user_a',       'own',    'denied', 'denied', 'denied'),
  ('public.social_media_posts',             'user_b',       'own',    'denied', 'denied', 'denied'),
  ('public.social_media_posts',             'service_role', 'all',    'one',    'all',    'all'),
  ('public.social_media_post_insights',     'anon',         'denied', 'denied', 'denied', 'denied'),
  ('public.social_media_post_insights',     'user_a',       'own',    'denied', 'denied', 'denied'),
  ('public.social_media_post_insights',     'user_b',       'own',    'denied', 'denied', 'denied'),
  ('public.social_media_post_insights',     'service_role', 'all',    'one',    'all',    'all'),
  ('public.social_media_connect_outcomes',   'anon',         'denied', 'denied', 'denied', 'denied'),
  ('public.social_media_connect_outcomes',   'user_a',       'own',    'denied', 'denied', 'denied'),
  ('public.social_media_connect_outcomes',   'user_b',       'own',    'denied', 'denied', 'denied'),
  ('public.social_media_connect_outcomes',   'service_role', 'all',    'one',    'all',    'all'),
  ('private.social_media_tokens',           'anon',         'denied', 'denied', 'denied', 'denied'),
  ('private.social_media_tokens',           'user_a',       'denied', 'denied', 'denied', 'denied'),
  ('private.social_media_tokens',           'user_b',       'denied', 'denied', 'denied', 'denied'),
  ('private.social_media_tokens',           'service_role', 'all',    'one',    'all',    'all'),
  ('private.oauth_states',                  'anon',         'denied', 'denied', 'denied', 'denied'),
  ('private.oauth_states',                  'user_a',       'denied', 'denied', 'denied', 'denied'),
  ('private.oauth_states',                  'user_b',       'denied', 'denied', 'denied', 'denied'),
  ('private.oauth_states',                  'service_role', 'all',    'one',    'denied', 'all'),
  ('private.meta_data_deletion_requests',   'anon',         'denied', 'denied', 'denied', 'denied'),
  ('private.meta_data_deletion_requests',   'user_a',       'denied', 'denied', 'denied', 'denied'),
  ('private.meta_data_deletion_requests',   'user_b',       'denied', 'denied', 'denied', 'denied'),
  ('private.meta_data_deletion_requests',   'service_role', 'all',    'one',    'denied', 'denied'),
  ('public.social_media_account_events',    'anon',         'denied', 'denied', 'denied', 'denied'),
  ('public.social_media_account_events',    'user_a',       'own',    'denied', 'denied', 'denied'),
  ('public.social_media_account_events',    'user_b',       'own',    'denied', 'denied', 'denied'),
  ('public.social_media_account_events',    'service_role', 'all',    'one',    'all',    'all'),
  ('private.social_media_sync_holds',       'anon',         'denied', 'denied', 'denied', 'denied'),
  ('private.social_media_sync_holds',       'user_a',       'denied', 'denied', 'denied', 'denied'),
  ('private.social_media_sync_holds',       'user_b',       'denied', 'denied', 'denied', 'denied'),
  ('private.social_media_sync_holds',       'service_role', 'all',    'one',    'all',    'all'),
  ('public.social_media_metric_kinds',      'anon',         'denied', 'denied', 'denied', 'denied'),
  ('public.social_media_metric_kinds',      'user_a',       'all',    'denied', 'denied', 'denied'),
  ('public.social_media_metric_kinds',      'user_b',       'all',    'denied', 'denied', 'denied'),
  ('public.social_media_metric_kinds',      'service_role', 'all',    'one',    'all',    'all'),
  ('private.social_media_sync_pending',        'anon',         'denied', 'denied', 'denied', 'denied'),
  ('private.social_media_sync_pending',        'user_a',       'denied', 'denied', 'denied', 'denied'),
  ('private.social_media_sync_pending',        'user_b',       'denied', 'denied', 'denied', 'denied'),
  ('private.social_media_sync_pending',        'service_role', 'denied', 'denied', 'denied', 'denied'),
  ('private.social_media_sync_message_errors', 'anon',         'denied', 'denied', 'denied', 'denied'),
  ('private.social_media_sync_message_errors', 'user_a',       'denied', 'denied', 'denied', 'denied'),
  ('private.social_media_sync_message_errors', 'user_b',       'denied', 'denied', 'denied', 'denied'),
  ('private.social_media_sync_message_errors', 'service_role', 'denied', 'denied', 'denied', 'denied');

-- ---------------------------------------------------------------------------------------------
-- Expected outcomes: routines, called with NULL arguments unless a probe is given. The read RPC
-- is probed for what it returns: the series entries of this file's Facebook rows.
-- ---------------------------------------------------------------------------------------------
create temp table rls_routine_expectations (routine text primary key, probe text, anon text, user_a text, user_b text,
                                            service_role text) on commit drop;
insert into rls_routine_expectations values
  -- routine                                                   probe  anon      user A    user B    service_role
  ('public.update_updated_at_column()',                        null, 'trigger_only', 'trigger_only', 'trigger_only', 'trigger_only'),
  ('public.upsert_social_media_accounts(jsonb)',               null, 'denied', 'denied', 'denied', 'runs'),
  ('public.social_media_sync_holds_for(uuid[])',               null, 'denied', 'denied', 'denied', 'runs'),
  ('public.hold_social_media_sync(jsonb)',                     null, 'denied', 'denied', 'denied', 'runs'),
  ('public.social_media_sync_accounts(uuid[])',                null, 'denied', 'denied', 'denied', 'runs'),
  ('public.enqueue_social_media_sync(text,text,text,integer)',  null, 'denied', 'denied', 'denied', 'runs'),
  ('public.claim_social_media_sync_message(integer,integer)',   null, 'denied', 'denied', 'denied', 'runs'),
  ('public.complete_social_media_sync_message(text,bigint,uuid,uuid[],jsonb,jsonb,jsonb)',
                                                               null, 'denied', 'denied', 'denied', 'runs'),
  ('public.release_social_media_sync_message(text,bigint,text)', null, 'denied', 'denied', 'denied', 'runs'),
  ('public.complete_social_media_posts_message(text,bigint,uuid,jsonb)', null, 'denied', 'denied', 'denied', 'runs'),
  ('public.ack_social_media_sync_message(text,bigint)',        null, 'denied', 'denied', 'denied', 'runs'),
  ('public.dead_letter_social_media_sync_message(text,bigint,text)', null, 'denied', 'denied', 'denied', 'runs'),
  ('public.social_media_sync_run_progress(uuid)',              null, 'denied', 'denied', 'denied', 'runs'),
  ('public.social_media_sync_queue_metrics()',                 null, 'denied', 'denied', 'denied', 'runs'),
  ('public.consume_oauth_state(text,timestamp with time zone)', null, 'denied', 'denied', 'denied', 'runs'),
  ('public.disconnect_social_media_accounts(text,social_media_platform)', null, 'denied', 'denied', 'denied', 'runs'),
  ('public.disconnect_social_media_account(text,social_media_platform,text)', null, 'denied', 'denied', 'denied', 'runs'),
  ('public.deauthorize_meta_user(text,social_media_connection_method)', null, 'denied', 'denied', 'denied', 'runs'),
  ('public.delete_meta_user_data(text,text,social_media_connection_method)', null, 'denied', 'denied', 'denied', 'runs'),
  ('public.meta_data_deletion_status(text)',                   null, 'denied', 'denied', 'denied', 'runs'),
  ('public.save_social_media_sync_batch(uuid,jsonb,jsonb,jsonb)', null, 'denied', 'denied', 'denied', 'runs'),
  ('public.finish_social_media_sync_run(uuid,text)',           null, 'denied', 'denied', 'denied', 'runs'),
  ('public.prune_social_media_sync_runs(interval)',            null, 'denied', 'denied', 'denied', 'runs'),
  ('public.prune_hourly_insights(interval,integer)',           null, 'denied', 'denied', 'denied', 'runs'),
  ('private.social_media_insights_derived(jsonb,jsonb,timestamp with time zone,jsonb)', null, 'denied', 'denied', 'denied', 'runs'),
  ('private.social_media_insights_derived(jsonb,jsonb,jsonb,jsonb,timestamp with time zone,jsonb)',
                                                               null, 'denied', 'denied', 'denied', 'runs'),
  ('private.social_media_insights_previous_hour(text,social_media_platform,text,text,timestamp with time zone)',
                                                               null, 'denied', 'denied', 'denied', 'runs'),
  ('private.social_media_account_status_by_expiry()',          null, 'denied', 'denied', 'denied', 'denied'),
  ('private.record_social_media_account_event()',              null, 'denied', 'denied', 'denied', 'denied'),
  ('private.request_social_link_task(text,jsonb)',             null, 'denied', 'denied', 'denied', 'denied'),
  ('public.record_social_media_account_health(jsonb)',         null, 'denied', 'denied', 'denied', 'runs'),
  ('public.social_media_accounts_for_health_check(timestamp with time zone,uuid,integer)',
                                                               null, 'denied', 'denied', 'denied', 'runs'),
  ('public.instagram_tokens_to_refresh(interval,integer)',     null, 'denied', 'denied', 'denied', 'runs'),
  ('public.save_refreshed_instagram_token(uuid,text,text,timestamp with time zone,timestamp with time zone)',
                                                               null, 'denied', 'denied', 'denied', 'runs'),
  ('public.mark_expiring_social_media_accounts()',             null, 'denied', 'denied', 'denied', 'runs'),
  ('private.enqueue_instagram_token_refresh(interval,integer)', null, 'denied', 'denied', 'denied', 'denied'),
  ('public.instagram_tokens_of(uuid[])',                       null, 'denied', 'denied', 'denied', 'runs'),
  ('public.social_link_service_metrics()',                     null, 'denied', 'denied', 'denied', 'runs'),
  ('public.save_social_media_posts(jsonb,jsonb)',              null, 'denied', 'denied', 'denied', 'runs'),
  ('public.due_social_media_posts(uuid[],timestamp with time zone)', null, 'denied', 'denied', 'denied', 'runs'),
  ('public.get_social_media_posts(text,timestamp with time zone,timestamp with time zone,text,text,integer,integer)',
   $$select (public.get_social_media_posts('rls-page-a') ->> 'total')::bigint$$, 'denied', 'rows=1', 'rows=0', 'rows=0'),
  ('private.deactivate_social_media_accounts(uuid[],text)',   null, 'denied', 'denied', 'denied', 'runs'),
  ('private.social_media_sync_queues()',                       null, 'denied', 'denied', 'denied', 'denied'),
  ('private.check_social_media_sync_queue(text)',              null, 'denied', 'denied', 'denied', 'denied'),
  ('private.finish_social_media_sync_run_if_drained(uuid)',    null, 'denied', 'denied', 'denied', 'denied'),
  ('private.start_social_media_sync_run(text,text,text,integer)', null, 'denied', 'denied', 'denied', 'denied'),
  ('private.dead_letter_social_media_sync_message(text,bigint,text)', null, 'denied', 'denied', 'denied', 'denied'),
  ('private.poke_social_media_sync_workers(integer)',          null, 'denied', 'denied', 'denied', 'denied'),
  ('private.enqueue_hourly_social_media_sync(integer)',        null, 'denied', 'denied', 'denied', 'denied'),
  ('private.kick_social_media_sync_workers()',                 null, 'denied', 'denied', 'denied', 'denied'),
  ('public.get_social_media_insights(text,text,integer,integer,text)',
   $$select count(*) from jsonb_array_elements(public.get_social_media_insights('facebook', 'hour', 1) -> 'series') s
     where s ->> 'account_id' like 'rls-page-_'$$,            'denied', 'rows=1', 'rows=1', 'rows=0');

-- ---------------------------------------------------------------------------------------------
-- One cell: run `query` as the caller in a subtransaction that is always rolled back.
-- ---------------------------------------------------------------------------------------------
create function pg_temp.outcome(p_role name, p_claims text, p_query text) returns text
language plpgsql as $$
declare
  counted bigint;
begin
  perform set_config('request.jwt.claims', p_claims, true);
  perform set_config('role', p_role, true);
  execute p_query into counted;
  -- Leaves through the handler below, which rolls back what the statement did.
  raise exception using errcode = 'RLSOK', message = 'rows=' || coalesce(counted::text, '0');
exception
  when insufficient_privilege then return 'denied';
  when sqlstate 'RLSOK' then return sqlerrm;
  when others then return 'error ' || sqlstate;
end;
$$;

create function pg_temp.fixture_rows(p_tbl text, p_scope text, p_owner_column text, p_sub text) returns bigint
language plpgsql as $$
declare
  counted bigint;
begin
  execute format('select count(*) from %s where (%s) and (%L::text is null or %s = %L)',
                 p_tbl, p_scope, p_sub, coalesce(p_owner_column, 'null'), p_sub) into counted;
  return counted;
end;
$$;

create temp table rls_cells on commit drop as
with table_cells as (
  select e.tbl as object, e.caller, op.name as operation, op.expected,
         case op.name
           when 'select' then format('select count(*) from %s where %s', t.tbl, t.scope)
           when 'insert' then format('with w as (%s returning 1) select count(*) from w',
                                     format(t.insert_row, coalesce(c.sub, 'rls_nobody')))
           when 'update' then format('with w as (update %s set %I = %I where %s returning 1) select count(*) from w',
                                     t.tbl, t.touch_column, t.touch_column, t.scope)
           else format('with w as (delete from %s where %s returning 1) select count(*) from w', t.tbl, t.scope)
         end as query,
         case op.expected
           when 'own' then 'rows=' || pg_temp.fixture_rows(t.tbl, t.scope, t.owner_column, c.sub)
           when 'all' then 'rows=' || pg_temp.fixture_rows(t.tbl, t.scope, null, null)
           when 'one' then 'rows=1'
           else op.expected
         end as expected_outcome
  from rls_table_expectations e
  join rls_tables t using (tbl)
  join rls_callers c using (caller)
  cross join lateral (values ('select', e.on_select), ('insert', e.on_insert),
                             ('update', e.on_update), ('delete', e.on_delete)) as op(name, expected)
), routine_cells as (
  select r.routine as object, c.caller, 'execute' as operation, x.expected,
         coalesce(r.probe, case p.prokind
           when 'p' then format('call %s(%s)', p.oid::regproc, nulls.args)
           -- count(called), not count(*): a result nobody reads would be planned away, uncalled.
           else format('select count(called) from (select %s(%s)) as called', p.oid::regproc, nulls.args)
         end) as query,
         x.expected as expected_outcome
  from rls_routine_expectations r
  join pg_proc p on p.oid = r.routine::regprocedure
  cross join lateral (select coalesce(string_agg('null::' || format_type(a.type, null), ', ' order by a.position), '')
                      from unnest(p.proargtypes) with ordinality as a(type, position)) as nulls(args)
  cross join rls_callers c
  cross join lateral (values (case c.caller when 'anon' then r.anon when 'user_a' then r.user_a
                                            when 'user_b' then r.user_b else r.service_role end)) as x(expected)
)
select * from table_cells union all select * from routine_cells;

select plan((select count(*)::integer from rls_cells) + 2);

select case
         when expected_outcome = 'runs' then isnt(actual, 'denied', description)
         when expected_outcome = 'trigger_only' then is(actual, 'error 0A000', description)
         else is(actual, expected_outcome, description)
       end
from (
  select pg_temp.outcome(c.role, c.claims, cell.query) as actual, cell.expected_outcome,
         format('%s %s %s: %s', cell.caller, cell.operation, cell.object, cell.expected) as description
  from rls_cells cell join rls_callers c using (caller)
  order by cell.object, cell.caller, cell.operation
) as checked;

-- The matrix lists every table and routine there is.
select set_eq(
  $$select n.nspname || '.' || c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('public', 'private') and c.relkind in ('r', 'p', 'v', 'm', 'f')$$,
  $$select distinct tbl from rls_table_expectations$$,
  'the matrix covers every table and view of public and private');
select set_eq(
  $$select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname in ('public', 'private') and p.prokind in ('f', 'p')$$,
  $$select r.routine::regprocedure::text from rls_routine_expectations r$$,
  'the matrix covers every function and procedure of public and private');

select * from finish();
rollback;
