-- public.social_link_service_metrics (migrations 20261130035450, the holds of 20261130041607 and
-- the dead letters of 20261130052100 and 20261130053400): what the service's /metrics
-- reports from the database. The database holds other rows (the seed), so the test compares the
-- counts before and after adding its own accounts.
begin;
create extension if not exists pgtap with schema extensions;
set search_path = public, extensions;
select plan(12);

create function pg_temp.accounts(m jsonb, p_platform text, p_status text) returns bigint language sql as $$
  select coalesce(sum((e ->> 'count')::bigint), 0) from jsonb_array_elements(m -> 'accounts') e
  where e ->> 'platform' = p_platform and e ->> 'status' = p_status
$$;
create function pg_temp.not_synced(m jsonb, p_platform text) returns bigint language sql as $$
  select coalesce(sum((e ->> 'count')::bigint), 0) from jsonb_array_elements(m -> 'not_synced_this_hour') e
  where e ->> 'platform' = p_platform
$$;

create function pg_temp.dead_lettered(m jsonb, p_platform text, p_kind text) returns bigint language sql as $$
  select coalesce(sum((e ->> 'count')::bigint), 0) from jsonb_array_elements(m -> 'accounts_dead_lettered') e
  where e ->> 'platform' = p_platform and e ->> 'kind' = p_kind
$$;

create temp table before_metrics as select social_link_service_metrics() as m;

insert into social_media_accounts (user_id, platform, account_id, status, is_active, last_synced_at) values
  ('user_metrics', 'facebook', 'metrics-page-1', 'needs_reauth', true, now() - interval '2 hours'),
  ('user_metrics', 'instagram', 'metrics-ig-1', 'connected', true, now()),
  ('user_metrics', 'instagram', 'metrics-ig-2', 'connected', true, date_trunc('hour', now()) - interval '1 minute'),
  ('user_metrics', 'instagram', 'metrics-ig-3', 'connected', true, null),
  ('user_metrics', 'facebook', 'metrics-page-2', 'connected', false, null);

insert into private.social_media_sync_holds (scope, held_until, status, reason)
select id::text, now() + interval '1 hour', 'rate_limited', 'test' from social_media_accounts
 where account_id = 'metrics-ig-1'
union all
select id::text, now() - interval '1 minute', 'insufficient_page_role', 'test' from social_media_accounts
 where account_id = 'metrics-ig-2';
delete from private.social_media_sync_holds where scope = 'app';
insert into private.social_media_sync_holds (scope, held_until, status, reason)
values ('app', now() + interval '10 minutes', 'rate_limited', 'test');

insert into private.social_media_sync_message_errors (queue, msg_id, error, dead_lettered_at, updated_at) values
  ('social_link_sync', 900000001, 'test: delivered too often', now() - interval '1 hour', now()),
  ('social_link_sync', 900000002, 'test: dead-lettered two days ago', now() - interval '2 days', now()),
  ('social_link_sync', 900000003, 'test: failed once, retried', null, now());

do $$
begin
  -- The queue gauges come from pgmq when it is installed.
  if to_regprocedure('pgmq.create(text)') is not null then
    perform pgmq.create('service_metrics_probe');
    perform pgmq.send('service_metrics_probe', '{"probe": 1}'::jsonb);
    perform pgmq.send('service_metrics_probe', '{"probe": 2}'::jsonb);
    -- A token refresh naming one Instagram account, dead-lettered as a worker does after its last delivery.
    perform public.dead_letter_social_media_sync_message('social_link_sync_low', sent.id, 'test')
       from pgmq.send(queue_name := 'social_link_sync_low', msg := jsonb_build_object(
              'kind', 'token_refresh',
              'accounts', (select jsonb_agg(id) from social_media_accounts where account_id = 'metrics-ig-1'))) sent(id);
  end if;
end $$;

set local role service_role;
create temp table after_metrics as select social_link_service_metrics() as m;
reset role;

select is((select pg_temp.accounts(a.m, 'facebook', 'needs_reauth') - pg_temp.accounts(b.m, 'facebook', 'needs_reauth')
           from before_metrics b, after_metrics a), 1::bigint, 'active accounts are counted by platform and status');
select is((select pg_temp.accounts(a.m, 'instagram', 'connected') - pg_temp.accounts(b.m, 'instagram', 'connected')
           from before_metrics b, after_metrics a), 3::bigint, 'each one once');
select is((select pg_temp.accounts(a.m, 'facebook', 'connected') - pg_temp.accounts(b.m, 'facebook', 'connected')
           from before_metrics b, after_metrics a), 0::bigint, 'a disconnected (inactive) account is not');
select is((select pg_temp.not_synced(a.m, 'instagram') - pg_temp.not_synced(b.m, 'instagram')
           from before_metrics b, after_metrics a), 2::bigint,
  'connected accounts not synced since the hour began (never, or last hour) are this hour''s work left');
select is((select pg_temp.not_synced(a.m, 'facebook') - pg_temp.not_synced(b.m, 'facebook')
           from before_metrics b, after_metrics a), 0::bigint, 'an account waiting for its owner to reconnect is not');
select is((select jsonb_typeof(m -> 'queues') from after_metrics), 'array', 'queues are a list');
select is((select (e ->> 'count')::int from after_metrics, jsonb_array_elements(m -> 'held_accounts') e
           where e ->> 'status' = 'rate_limited'), 1, 'an account held by a rate limit is counted');
select is((select count(*)::int from after_metrics, jsonb_array_elements(m -> 'held_accounts') e
           where e ->> 'status' = 'insufficient_page_role'), 0, 'a hold that has ended is not');
select is((select (e ->> 'count')::int - coalesce((select (b ->> 'count')::int from before_metrics,
             jsonb_array_elements(before_metrics.m -> 'dead_letters') b where b ->> 'queue' = 'social_link_sync'), 0)
           from after_metrics, jsonb_array_elements(m -> 'dead_letters') e where e ->> 'queue' = 'social_link_sync'),
  1, 'a message dead-lettered within the day counts; an older one and a retried one do not');
select is((select pg_temp.dead_lettered(a.m, 'instagram', 'token_refresh')
                 - pg_temp.dead_lettered(b.m, 'instagram', 'token_refresh') from before_metrics b, after_metrics a),
  1::bigint, 'the accounts of a message dead-lettered within the day are counted by platform and kind');
select ok((select (m ->> 'app_held_seconds')::float between 590 and 600 from after_metrics),
  'an app-wide hold reports the seconds it has left');
select case when to_regprocedure('pgmq.create(text)') is null then skip('pgmq is not installed', 1)
  else is((select (q ->> 'depth')::int from after_metrics, jsonb_array_elements(m -> 'queues') q
           where q ->> 'queue' = 'service_metrics_probe'), 2, 'a queue reports its depth from pgmq.metrics_all()') end;

select * from finish();
rollback;
