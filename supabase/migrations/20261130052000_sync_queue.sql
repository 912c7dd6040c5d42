-- The hourly sync on Supabase Queues (pgmq): durable, crash-safe, spread over any number of replicas.
--
--   pg_cron 'social-link-insights-sync' (hourly)  records the hour's run once and sends its work
--                                                 as messages, then pokes the service (pg_net)
--   pg_cron 'social-link-sync-kick' (every minute) pokes the service while visible messages exist
--   any replica's workers                         claim a message, sync its accounts, and save
--                                                 rows + outcomes + delete the message in one call
--
-- Queues, highest priority first (workers drain the first before they take from the second):
--   social_link_sync      account_snapshot (the hour's snapshot of accounts synced before)
--   social_link_sync_low  account_backfill (a new account's 30-day backfill)
-- Message body: {"kind": ..., ...}; account kinds add {"run_id", "window_start", "accounts": [uuid]}.
-- docs/architecture.md lists the kinds and how another kind plugs in.
--
-- Only functions pgmq 1.4.x has (what Supabase ships) are used, with named arguments: create,
-- send_batch, read, delete, archive, metrics. A message whose worker died comes back when its
-- visibility timeout ends; after `p_max_deliveries` deliveries it is archived (pgmq's archive is the
-- dead-letter store) with its reason in private.social_media_sync_message_errors.
--
-- The queue tables belong to the migration's owner. service_role reaches them only through the
-- security-definer RPCs below, each limited to this package's queues.

create extension if not exists pgmq;

select pgmq.create(queue_name := 'social_link_sync');
select pgmq.create(queue_name := 'social_link_sync_low');

-- ---------------------------------------------------------------------------------------------
-- Runs: progress per run, one hourly run per hour. Shards are gone: the queue spreads the work.
-- ---------------------------------------------------------------------------------------------
alter table public.social_media_sync_runs
  drop constraint if exists social_media_sync_runs_shard_check,
  drop column if exists shard,
  drop column if exists shards,
  -- Null for runs recorded before the queue; the unique key below covers only queued runs.
  add column if not exists accounts_queued integer,
  -- Accounts already queued or in flight for this hour under another run (Sync Now joins them).
  add column if not exists accounts_joined integer not null default 0,
  add column if not exists accounts_done integer not null default 0,
  add column if not exists accounts_failed integer not null default 0,
  add column if not exists accounts_dead_lettered integer not null default 0,
  -- True once the run's hour ended with work of it still queued.
  add column if not exists overran_hour boolean not null default false;

-- The hourly job fires twice (or is run by hand): the second insert conflicts and enqueues nothing.
create unique index if not exists social_media_sync_runs_hour_trigger_key
  on public.social_media_sync_runs (window_start, trigger)
  where user_id is null and accounts_queued is not null;
create index if not exists social_media_sync_runs_unfinished_idx
  on public.social_media_sync_runs (window_end) where finished_at is null;

-- Work queued or in flight: one row per account and hour, so an account is never in two messages
-- of the same hour, and Sync Now can see what it would double. Deleted when the account's message
-- is saved or dead-lettered.
create table if not exists private.social_media_sync_pending (
  social_media_account_id uuid not null references public.social_media_accounts (id) on delete cascade,
  window_start timestamptz not null,
  run_id uuid not null references public.social_media_sync_runs (id) on delete cascade,
  kind text not null,
  enqueued_at timestamptz not null default now(),
  primary key (social_media_account_id, window_start)
);
create index if not exists social_media_sync_pending_run_idx on private.social_media_sync_pending (run_id);

-- Why a message failed: its last error while it is retried, and the reason it was dead-lettered.
create table if not exists private.social_media_sync_message_errors (
  queue text not null,
  msg_id bigint not null,
  error text not null,
  dead_lettered_at timestamptz,
  updated_at timestamptz not null default now(),
  primary key (queue, msg_id)
);

alter table private.social_media_sync_pending enable row level security;
alter table private.social_media_sync_message_errors enable row level security;
revoke all on table private.social_media_sync_pending, private.social_media_sync_message_errors
  from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Helpers (private: nobody but their owner calls them).
-- ---------------------------------------------------------------------------------------------

-- The package's queues, highest priority first.
create or replace function private.social_media_sync_queues()
returns text[]
language sql
immutable
set search_path = ''
as $$ select array['social_link_sync', 'social_link_sync_low'] $$;

create or replace function private.check_social_media_sync_queue(p_queue text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_queue is null or not p_queue = any(private.social_media_sync_queues()) then
    raise exception 'unknown sync queue %', p_queue using errcode = '22023';
  end if;
end;
$$;

-- Finishes a run once nothing of it is queued any more (outcomes -> totals and status); the
-- finished run, or null while work of it is left.
create or replace function private.finish_social_media_sync_run_if_drained(p_run_id uuid)
returns public.social_media_sync_runs
language plpgsql
set search_path = ''
as $$
declare
  finished public.social_media_sync_runs;
begin
  if exists (select 1 from private.social_media_sync_pending where run_id = p_run_id) then
    return null;
  end if;
  perform public.finish_social_media_sync_run(p_run_id);
  update public.social_media_sync_runs set overran_hour = overran_hour or finished_at > window_end
  where id = p_run_id
  returning * into finished;
  return finished;
end;
$$;

-- Records a run for the current UTC hour and queues its accounts (all active accounts, or one
-- user's). Accounts already queued for this hour are joined, not queued again. A new account
-- (never synced) goes out as account_backfill on the low-priority queue, the others as
-- account_snapshot; messages hold at most `p_accounts_per_message` accounts (a tenth of that
-- for backfill, which fetches 30 days instead of 3). Returns the run; for the hourly run, the
-- existing run when this hour's was already recorded (nothing is queued twice).
create or replace function private.start_social_media_sync_run(
  p_trigger text,
  p_user_id text,
  p_requested_by text,
  p_accounts_per_message integer
)
returns public.social_media_sync_runs
language plpgsql
set search_path = ''
as $$
declare
  hour timestamptz := date_trunc('hour', now(), 'UTC');
  run public.social_media_sync_runs;
  eligible integer;
  queued integer;
  snapshots jsonb[];
  backfills jsonb[];
begin
  if p_accounts_per_message is null or p_accounts_per_message < 1 or p_accounts_per_message > 5000 then
    raise exception 'accounts per message must be between 1 and 5000' using errcode = '22023';
  end if;

  insert into public.social_media_sync_runs
    (trigger, requested_by, user_id, window_start, window_end, accounts_queued)
  values (p_trigger, p_requested_by, p_user_id, hour, hour + interval '1 hour', 0)
  on conflict (window_start, trigger) where user_id is null and accounts_queued is not null do nothing
  returning * into run;
  if run.id is null then
    select * into run from public.social_media_sync_runs r
    where r.window_start = hour and r.trigger = p_trigger and r.user_id is null and r.accounts_queued is not null;
    return run;
  end if;

  select count(*) into eligible
  from public.social_media_accounts a
  join private.social_media_tokens t on t.account_id = a.id
  where a.is_active and a.status <> 'needs_reauth' and (p_user_id is null or a.user_id = p_user_id);

  with queued_accounts as (
    insert into private.social_media_sync_pending (social_media_account_id, window_start, run_id, kind)
    select a.id, hour, run.id,
           case when a.last_synced_at is null then 'account_backfill' else 'account_snapshot' end
    from public.social_media_accounts a
    join private.social_media_tokens t on t.account_id = a.id
    where a.is_active and a.status <> 'needs_reauth' and (p_user_id is null or a.user_id = p_user_id)
    on conflict (social_media_account_id, window_start) do nothing
    returning social_media_account_id as id, kind
  ), chunked as (
    select id, kind,
           (row_number() over (partition by kind order by id) - 1)
             / case when kind = 'account_backfill' then greatest(p_accounts_per_message / 10, 1)
                    else p_accounts_per_message end as chunk
    from queued_accounts
  ), messages as (
    select kind, jsonb_build_object('kind', kind, 'run_id', run.id, 'window_start', hour,
                                    'accounts', jsonb_agg(id order by id)) as body
    from chunked group by kind, chunk
  )
  select coalesce(array_agg(body) filter (where kind = 'account_snapshot'), '{}'),
         coalesce(array_agg(body) filter (where kind = 'account_backfill'), '{}'),
         (select count(*) from queued_accounts)
  into snapshots, backfills, queued
  from messages;

  if cardinality(snapshots) > 0 then
    perform pgmq.send_batch(queue_name := 'social_link_sync', msgs := snapshots);
  end if;
  if cardinality(backfills) > 0 then
    perform pgmq.send_batch(queue_name := 'social_link_sync_low', msgs := backfills);
  end if;

  update public.social_media_sync_runs r
  set accounts_queued = queued, accounts_joined = eligible - queued
  where r.id = run.id;
  if queued = 0 then
    perform private.finish_social_media_sync_run_if_drained(run.id);
  end if;
  select * into run from public.social_media_sync_runs r where r.id = run.id;
  return run;
end;
$$;

-- Archives a message as dead (pgmq's archive keeps it for audit) with its reason. For account
-- work, the accounts still queued are recorded `failed` with the reason and the run finishes if
-- that was all it was waiting for.
create or replace function private.dead_letter_social_media_sync_message(p_queue text, p_msg_id bigint, p_reason text)
returns void
language plpgsql
set search_path = ''
as $$
declare
  body jsonb;
  target_run uuid;
  dead integer;
begin
  perform private.check_social_media_sync_queue(p_queue);
  execute format('select message from pgmq.%I where msg_id = $1', 'q_' || p_queue) into body using p_msg_id;
  perform pgmq.archive(queue_name := p_queue, msg_id := p_msg_id);
  insert into private.social_media_sync_message_errors as e (queue, msg_id, error, dead_lettered_at)
  values (p_queue, p_msg_id, p_reason, now())
  on conflict (queue, msg_id) do update set error = excluded.error, dead_lettered_at = now(), updated_at = now();

  if jsonb_typeof(body -> 'run_id') = 'string' and jsonb_typeof(body -> 'accounts') = 'array'
     and body ->> 'run_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    select id into target_run from public.social_media_sync_runs where id = (body ->> 'run_id')::uuid for no key update;
    if target_run is null then
      return;
    end if;
    with dead_accounts as (
      delete from private.social_media_sync_pending p
      where p.run_id = target_run
        and p.social_media_account_id::text in (select jsonb_array_elements_text(body -> 'accounts'))
      returning p.social_media_account_id
    ), recorded as (
      insert into public.social_media_sync_run_accounts
        (run_id, social_media_account_id, user_id, platform, account_id, status, error)
      select target_run, a.id, a.user_id, a.platform, a.account_id, 'failed', p_reason
      from dead_accounts d join public.social_media_accounts a on a.id = d.social_media_account_id
      on conflict (run_id, social_media_account_id) do nothing
    )
    select count(*) into dead from dead_accounts;
    update public.social_media_sync_runs set accounts_dead_lettered = accounts_dead_lettered + dead
    where id = target_run;
    perform private.finish_social_media_sync_run_if_drained(target_run);
  end if;
end;
$$;

-- Pokes the service (one POST per visible message, at most `p_max_pokes`) so idle workers start;
-- behind a load balancer the pokes reach several replicas. URL and secret come from Vault (see
-- 20261124100100_insights_hourly_cron.sql); the service answers 202 at once.
create or replace function private.poke_social_media_sync_workers(p_max_pokes integer default 10)
returns setof bigint
language plpgsql
set search_path = ''
as $$
declare
  sync_url text;
  cron_secret text;
  visible integer;
begin
  -- Cheap: pgmq indexes each queue on vt, and no more than the pokes wanted are counted.
  select count(*) into visible from (
    select 1 from pgmq.q_social_link_sync where vt <= clock_timestamp()
    union all
    select 1 from pgmq.q_social_link_sync_low where vt <= clock_timestamp()
    limit p_max_pokes) v;
  if visible = 0 then
    return;
  end if;
  select decrypted_secret into sync_url from vault.decrypted_secrets where name = 'social_link_sync_url';
  select decrypted_secret into cron_secret from vault.decrypted_secrets where name = 'social_link_cron_secret';
  if coalesce(sync_url, '') = '' or coalesce(cron_secret, '') = '' then
    -- Logged, not raised: the kick job's other duty (marking overrun runs) must still commit.
    raise warning 'social-link: % sync message(s) wait, but Vault secrets social_link_sync_url and '
                  'social_link_cron_secret are not set, so no service can be poked', visible;
    return;
  end if;
  return query
    select net.http_post(
      url := sync_url,
      headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || cron_secret),
      body := jsonb_build_object('trigger', 'kick'),
      timeout_milliseconds := 15000)
    from generate_series(1, visible);
end;
$$;

-- The hourly job's command: the hour's run (once) and its messages, then a poke. Refuses to queue
-- anything while the service's URL is not in Vault, as before the queue: nobody would work it, and
-- the failure shows in cron.job_run_details.
create or replace function private.enqueue_hourly_social_media_sync(p_accounts_per_message integer default 100)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  run public.social_media_sync_runs;
begin
  if (select count(*) from vault.decrypted_secrets
      where name in ('social_link_sync_url', 'social_link_cron_secret') and coalesce(decrypted_secret, '') <> '') < 2 then
    raise exception 'Vault secrets social_link_sync_url and social_link_cron_secret must be set';
  end if;
  run := private.start_social_media_sync_run('cron', null, null, p_accounts_per_message);
  perform private.poke_social_media_sync_workers();
  return run.id;
end;
$$;

-- The kick job's command: marks runs whose hour ended with work left, and pokes while visible
-- messages exist (a message whose worker died becomes visible again when its timeout ends).
create or replace function private.kick_social_media_sync_workers()
returns integer
language plpgsql
set search_path = ''
as $$
declare
  pokes integer;
begin
  update public.social_media_sync_runs set overran_hour = true
  where finished_at is null and window_end < now() and not overran_hour;
  select count(*) into pokes from private.poke_social_media_sync_workers();
  return pokes;
end;
$$;

-- ---------------------------------------------------------------------------------------------
-- RPCs of the service (service_role only).
-- ---------------------------------------------------------------------------------------------

-- Sync Now (a user's JWT) or an operator's sync of one user (the cron secret): a run for the
-- current hour over that user's accounts, joining what is already queued for the hour.
create or replace function public.enqueue_social_media_sync(
  p_trigger text,
  p_user_id text,
  p_requested_by text default null,
  p_accounts_per_message integer default 100
)
returns public.social_media_sync_runs
language plpgsql
security definer
set search_path = ''
as $$
begin
  if p_user_id is null then
    raise exception 'a user_id is required; the hourly job queues everyone' using errcode = '22023';
  end if;
  return private.start_social_media_sync_run(p_trigger, p_user_id, p_requested_by, p_accounts_per_message);
end;
$$;

-- Claims the next message (high-priority queue first) for `p_visibility_timeout` seconds:
-- {queue, msg_id, read_ct, message}, or null when both queues are empty. A message delivered more
-- than `p_max_deliveries` times, or without a `kind`, is dead-lettered instead of returned.
create or replace function public.claim_social_media_sync_message(
  p_visibility_timeout integer,
  p_max_deliveries integer
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  q_name text;
  claimed record;
  last_error text;
begin
  if p_visibility_timeout is null or p_visibility_timeout < 1 or p_max_deliveries is null or p_max_deliveries < 1 then
    raise exception 'visibility timeout and max deliveries must be positive' using errcode = '22023';
  end if;
  foreach q_name in array private.social_media_sync_queues() loop
    loop
      select * into claimed from pgmq.read(queue_name := q_name, vt := p_visibility_timeout, qty := 1);
      exit when not found;
      if claimed.read_ct > p_max_deliveries then
        select e.error into last_error from private.social_media_sync_message_errors e
        where e.queue = q_name and e.msg_id = claimed.msg_id;
        perform private.dead_letter_social_media_sync_message(q_name, claimed.msg_id,
          format('Gave up after %s deliveries; last error: %s', claimed.read_ct - 1,
                 coalesce(last_error, 'none recorded (the worker stopped or ran past its visibility timeout)')));
      elsif jsonb_typeof(claimed.message) is distinct from 'object'
            or jsonb_typeof(claimed.message -> 'kind') is distinct from 'string' then
        perform private.dead_letter_social_media_sync_message(q_name, claimed.msg_id,
          'Malformed message: expected a JSON object with a "kind"');
      else
        return jsonb_build_object('queue', q_name, 'msg_id', claimed.msg_id, 'read_ct', claimed.read_ct,
                                  'message', claimed.message);
      end if;
    end loop;
  end loop;
  return null;
end;
$$;

-- The accounts of a message, with their token ciphertext (the message holds ids only, so no token
-- is ever copied into a queue). Read by key in pages: PostgREST caps an answer at db-max-rows.
create or replace function public.social_media_sync_accounts(p_ids uuid[])
returns table (
  id uuid,
  user_id text,
  platform public.social_media_platform,
  account_id text,
  account_name text,
  is_active boolean,
  status public.social_media_account_status,
  last_synced_at timestamptz,
  access_token text,
  connected_via public.social_media_connection_method
)
language sql
stable
set search_path = ''
as $$
  select a.id, a.user_id, a.platform, a.account_id, a.account_name, a.is_active, a.status, a.last_synced_at,
         t.access_token, a.connected_via
  from public.social_media_accounts a
  left join private.social_media_tokens t on t.account_id = a.id
  where a.id = any(p_ids)
  order by a.id
$$;

-- Saves a message's (last) batch with save_social_media_sync_batch and deletes the message in the
-- same transaction; its accounts leave the pending list, the run's counters move, and the run
-- finishes when nothing of it is left. A message saved twice (two workers) writes the same rows
-- and deltas (see save_social_media_sync_batch) and counts once. Issue 13's changes to
-- save_social_media_sync_batch apply here unchanged: this function only calls it.
create or replace function public.complete_social_media_sync_message(
  p_queue text,
  p_msg_id bigint,
  p_run_id uuid,
  p_accounts uuid[],
  p_insights jsonb,
  p_outcomes jsonb,
  p_spec jsonb
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  saved jsonb;
  n_done integer;
  n_failed integer;
  deleted boolean;
  finished public.social_media_sync_runs;
begin
  perform private.check_social_media_sync_queue(p_queue);
  -- Rows always (a late worker's rows are as good as anyone's); outcomes only of accounts still
  -- queued, so a message completed after it was dead-lettered keeps its recorded failure.
  saved := public.save_social_media_sync_batch(p_run_id, p_insights, coalesce((
    select jsonb_agg(o) from jsonb_array_elements(p_outcomes) o
    where exists (select 1 from private.social_media_sync_pending p
                  where p.run_id = p_run_id
                    and p.social_media_account_id::text = o ->> 'social_media_account_id')), '[]'), p_spec);
  -- One completion of a run at a time past this point, so the last one sees the run drained.
  -- `no key update`: the outcomes just saved hold key-share locks on the run (their foreign key),
  -- which `for update` would wait on, deadlocking two completions of one run.
  perform 1 from public.social_media_sync_runs where id = p_run_id for no key update;
  with finished as (
    delete from private.social_media_sync_pending p
    where p.run_id = p_run_id and p.social_media_account_id = any(p_accounts)
    returning p.social_media_account_id
  )
  select count(*) filter (where o.status in ('synced', 'partial')),
         count(*) filter (where o.status not in ('synced', 'partial'))
  into n_done, n_failed
  from finished f
  left join public.social_media_sync_run_accounts o
    on o.run_id = p_run_id and o.social_media_account_id = f.social_media_account_id;
  update public.social_media_sync_runs
  set accounts_done = accounts_done + n_done, accounts_failed = accounts_failed + n_failed
  where id = p_run_id;
  deleted := public.ack_social_media_sync_message(p_queue, p_msg_id);
  finished := private.finish_social_media_sync_run_if_drained(p_run_id);
  return saved || jsonb_build_object('deleted', deleted,
                                     'finished_run', case when finished.id is not null then to_jsonb(finished) end);
end;
$$;

-- A worker that failed on a message says why; the message comes back when its visibility timeout
-- ends, and the reason is kept for its dead letter.
create or replace function public.release_social_media_sync_message(p_queue text, p_msg_id bigint, p_error text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.check_social_media_sync_queue(p_queue);
  insert into private.social_media_sync_message_errors as e (queue, msg_id, error)
  values (p_queue, p_msg_id, left(coalesce(p_error, 'unknown error'), 2000))
  on conflict (queue, msg_id) do update set error = excluded.error, updated_at = now();
end;
$$;

-- Deletes a message whose work is done, for kinds whose work is not saved by
-- complete_social_media_sync_message (e.g. a token refresh): right after the work, so a worker
-- dying in between means the (idempotent) work is done again, never lost.
create or replace function public.ack_social_media_sync_message(p_queue text, p_msg_id bigint)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.check_social_media_sync_queue(p_queue);
  delete from private.social_media_sync_message_errors
  where queue = p_queue and msg_id = p_msg_id and dead_lettered_at is null;
  return pgmq.delete(queue_name := p_queue, msg_id := p_msg_id);
end;
$$;

-- A message the service cannot work (unknown kind, malformed body, unknown accounts).
create or replace function public.dead_letter_social_media_sync_message(p_queue text, p_msg_id bigint, p_reason text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.dead_letter_social_media_sync_message(p_queue, p_msg_id, left(coalesce(p_reason, 'poison'), 2000));
end;
$$;

-- A run and whether work it waits for is still queued: its own accounts and, for a one-user run,
-- that user's accounts it joined under another run of the same hour.
create or replace function public.social_media_sync_run_progress(p_run_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select to_jsonb(r) || jsonb_build_object(
    'pending', (select count(*) from private.social_media_sync_pending p where p.run_id = r.id),
    'joined_pending', (select count(*) from private.social_media_sync_pending p
                       join public.social_media_accounts a on a.id = p.social_media_account_id
                       where r.user_id is not null and p.window_start = r.window_start
                         and a.user_id = r.user_id and p.run_id <> r.id))
  from public.social_media_sync_runs r
  where r.id = p_run_id
$$;

-- The queues' depth for monitoring (pgmq.metrics plus visible and dead-lettered counts).
create or replace function public.social_media_sync_queue_metrics()
returns table (
  queue_name text,
  queue_length bigint,
  visible_length bigint,
  oldest_msg_age_sec integer,
  newest_msg_age_sec integer,
  total_messages bigint,
  dead_lettered bigint
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  q_name text;
  metrics record;
begin
  foreach q_name in array private.social_media_sync_queues() loop
    select * into metrics from pgmq.metrics(queue_name := q_name);
    queue_name := q_name;
    queue_length := metrics.queue_length;
    oldest_msg_age_sec := metrics.oldest_msg_age_sec;
    newest_msg_age_sec := metrics.newest_msg_age_sec;
    total_messages := metrics.total_messages;
    execute format('select count(*) from pgmq.%I where vt <= clock_timestamp()', 'q_' || q_name) into visible_length;
    execute format('select count(*) from pgmq.%I', 'a_' || q_name) into dead_lettered;
    return next;
  end loop;
end;
$$;

-- The sync reads accounts per message now (social_media_sync_accounts, with connected_via as
-- 20261130042511 added it); the sharded reader goes, and with it abs(hashtext(id)), which
-- overflowed for the one id hashing to INT_MIN.
drop function if exists public.active_social_media_accounts(text, integer, integer);
drop function if exists private.request_social_media_insights_sync();

revoke execute on function private.social_media_sync_queues() from public, anon, authenticated, service_role;
revoke execute on function private.check_social_media_sync_queue(text) from public, anon, authenticated, service_role;
revoke execute on function private.finish_social_media_sync_run_if_drained(uuid) from public, anon, authenticated, service_role;
revoke execute on function private.start_social_media_sync_run(text, text, text, integer)
  from public, anon, authenticated, service_role;
revoke execute on function private.dead_letter_social_media_sync_message(text, bigint, text)
  from public, anon, authenticated, service_role;
revoke execute on function private.poke_social_media_sync_workers(integer) from public, anon, authenticated, service_role;
revoke execute on function private.enqueue_hourly_social_media_sync(integer) from public, anon, authenticated, service_role;
revoke execute on function private.kick_social_media_sync_workers() from public, anon, authenticated, service_role;

revoke execute on function public.enqueue_social_media_sync(text, text, text, integer) from public, anon, authenticated;
revoke execute on function public.claim_social_media_sync_message(integer, integer) from public, anon, authenticated;
revoke execute on function public.social_media_sync_accounts(uuid[]) from public, anon, authenticated;
revoke execute on function public.complete_social_media_sync_message(text, bigint, uuid, uuid[], jsonb, jsonb, jsonb)
  from public, anon, authenticated;
revoke execute on function public.release_social_media_sync_message(text, bigint, text) from public, anon, authenticated;
revoke execute on function public.ack_social_media_sync_message(text, bigint) from public, anon, authenticated;
revoke execute on function public.dead_letter_social_media_sync_message(text, bigint, text) from public, anon, authenticated;
revoke execute on function public.social_media_sync_run_progress(uuid) from public, anon, authenticated;
revoke execute on function public.social_media_sync_queue_metrics() from public, anon, authenticated;

grant execute on function public.enqueue_social_media_sync(text, text, text, integer) to service_role;
grant execute on function public.claim_social_media_sync_message(integer, integer) to service_role;
grant execute on function public.social_media_sync_accounts(uuid[]) to service_role;
grant execute on function public.complete_social_media_sync_message(text, bigint, uuid, uuid[], jsonb, jsonb, jsonb)
  to service_role;
grant execute on function public.release_social_media_sync_message(text, bigint, text) to service_role;
grant execute on function public.ack_social_media_sync_message(text, bigint) to service_role;
grant execute on function public.dead_letter_social_media_sync_message(text, bigint, text) to service_role;
grant execute on function public.social_media_sync_run_progress(uuid) to service_role;
grant execute on function public.social_media_sync_queue_metrics() to service_role;

-- ---------------------------------------------------------------------------------------------
-- Jobs (cron.schedule upserts by name: re-applying replaces, never adds).
-- ---------------------------------------------------------------------------------------------
select cron.schedule(
  'social-link-insights-sync',
  '5 * * * *',
  'select private.enqueue_hourly_social_media_sync()'
);

select cron.schedule(
  'social-link-sync-kick',
  '* * * * *',
  'select private.kick_social_media_sync_workers()'
);
