-- Post work through the sync queue, below the hourly snapshots: when an account message completes,
-- the accounts whose snapshot went through are sent, in the same transaction, as one `posts`
-- message (`{"kind": "posts", "run_id", "accounts": [row ids], "first_sync"}`) on the
-- low-priority queue. Sending it here rather than from the service means a completed snapshot
-- always has its post work queued (no window where a worker dies between the two), and a snapshot
-- message completed twice sends it once (only accounts still pending are sent). The service's
-- `posts` handler saves the posts, then calls complete_social_media_posts_message, which records
-- metrics Meta rejected for a media type in the accounts' outcomes and deletes the message. Post
-- work never moves a run's account counters, and a dead-lettered posts message records nothing
-- in the run: its accounts were counted by their snapshot.

-- From 20261130052000_sync_queue.sql (its latest version), plus the posts message.
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
  went_through jsonb;
  message_kind text;
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
         count(*) filter (where o.status not in ('synced', 'partial')),
         jsonb_agg(f.social_media_account_id order by f.social_media_account_id)
           filter (where o.status in ('synced', 'partial'))
  into n_done, n_failed, went_through
  from finished f
  left join public.social_media_sync_run_accounts o
    on o.run_id = p_run_id and o.social_media_account_id = f.social_media_account_id;
  update public.social_media_sync_runs
  set accounts_done = accounts_done + n_done, accounts_failed = accounts_failed + n_failed
  where id = p_run_id;
  if went_through is not null then
    -- A backfill's accounts were never synced: their post listing pages back too.
    execute format('select message ->> ''kind'' from pgmq.%I where msg_id = $1', 'q_' || p_queue)
      into message_kind using p_msg_id;
    perform pgmq.send(queue_name := 'social_link_sync_low', msg := jsonb_build_object(
      'kind', 'posts', 'run_id', p_run_id, 'accounts', went_through,
      'first_sync', message_kind = 'account_backfill'));
  end if;
  deleted := public.ack_social_media_sync_message(p_queue, p_msg_id);
  finished := private.finish_social_media_sync_run_if_drained(p_run_id);
  return saved || jsonb_build_object('deleted', deleted,
                                     'finished_run', case when finished.id is not null then to_jsonb(finished) end);
end;
$$;

-- Records a posts message's outcome and deletes it in one transaction. `p_dropped` maps account
-- row ids to the metrics Meta rejected for a media type (`instagram/FEED:<metric>`): they join the
-- account's outcome (partial), and a finished run's dropped metrics and status follow. Statuses
-- other than synced/partial are left alone, and no counter moves.
create or replace function public.complete_social_media_posts_message(
  p_queue text,
  p_msg_id bigint,
  p_run_id uuid,
  p_dropped jsonb
)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  changed integer;
begin
  perform private.check_social_media_sync_queue(p_queue);
  if jsonb_typeof(p_dropped) is distinct from 'object' then
    raise exception 'dropped metrics must be an object of account row id -> metric names' using errcode = '22023';
  end if;
  with added as (
    select (d.key)::uuid as account, array(select jsonb_array_elements_text(d.value)) as metrics
    from jsonb_each(p_dropped) d
    where jsonb_typeof(d.value) = 'array' and jsonb_array_length(d.value) > 0
  ), merged as (
    select o.social_media_account_id as account,
           array(select distinct m from unnest(o.dropped_metrics || a.metrics) m order by m) as metrics
    from public.social_media_sync_run_accounts o
    join added a on a.account = o.social_media_account_id
    where o.run_id = p_run_id and o.status in ('synced', 'partial') and not (a.metrics <@ o.dropped_metrics)
  ), updated as (
    update public.social_media_sync_run_accounts o
    set status = 'partial', dropped_metrics = m.metrics,
        error = 'Meta rejected metrics: ' || array_to_string(m.metrics, ', ')
    from merged m
    where o.run_id = p_run_id and o.social_media_account_id = m.account
    returning 1
  )
  select count(*) into changed from updated;
  if changed > 0 then
    update public.social_media_sync_runs r
    set dropped_metrics = coalesce((
          select jsonb_object_agg(per.platform, per.metrics)
          from (select d.platform::text as platform, jsonb_agg(distinct metric order by metric) as metrics
                from public.social_media_sync_run_accounts d, unnest(d.dropped_metrics) as metric
                where d.run_id = p_run_id group by d.platform) per), '{}'::jsonb),
        status = case when r.status = 'succeeded' then 'partial' else r.status end
    where r.id = p_run_id and r.finished_at is not null;
  end if;
  return public.ack_social_media_sync_message(p_queue, p_msg_id);
end;
$$;

-- From 20261130052000_sync_queue.sql: a dead-lettered posts message leaves its run alone (its
-- accounts were counted by their snapshot; they are no longer pending, and re-finishing the run
-- would move its finished_at).
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
     and body ->> 'kind' is distinct from 'posts'
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

-- From 20261130052000_sync_queue.sql, plus `posts_pending`: the run's posts messages still queued,
-- so a Sync Now can wait for its posts too. It scans the low-priority queue, which is only ever
-- asked for a run somebody waits on.
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
                         and a.user_id = r.user_id and p.run_id <> r.id),
    'posts_pending', (select count(*) from pgmq.q_social_link_sync_low q
                      where q.message ->> 'kind' = 'posts' and q.message ->> 'run_id' = r.id::text))
  from public.social_media_sync_runs r
  where r.id = p_run_id
$$;

revoke execute on function private.dead_letter_social_media_sync_message(text, bigint, text)
  from public, anon, authenticated, service_role;
revoke execute on function public.complete_social_media_posts_message(text, bigint, uuid, jsonb)
  from public, anon, authenticated;
grant execute on function public.complete_social_media_posts_message(text, bigint, uuid, jsonb) to service_role;
