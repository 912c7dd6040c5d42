-- Insights ingestion: the record of every sync run, the service RPCs that store a batch of
-- insights with their derived values, and the read RPC a browser calls with its own JWT.
--
-- The hourly schedule itself (pg_cron -> pg_net) is the next migration.

-- ---------------------------------------------------------------------------------------------
-- Sync runs. One row per run (one cron request per shard, or one Sync Now), written by the
-- service when the run starts and completed when it ends: a run that died midway stays
-- `running` without `finished_at`, and an hour without any run is a gap in `window_start`.
-- ---------------------------------------------------------------------------------------------
create table if not exists public.social_media_sync_runs (
  id uuid primary key default gen_random_uuid(),
  trigger text not null,
  -- The JWT `sub` of a Sync Now; null for the cron job.
  requested_by text,
  -- The one user a run was limited to, if any.
  user_id text,
  shard integer not null default 0,
  shards integer not null default 1,
  window_start timestamptz not null,
  window_end timestamptz not null,
  status text not null default 'running',
  accounts_total integer not null default 0,
  -- Accounts per platform, e.g. {"facebook": 2, "instagram": 1}.
  synced jsonb not null default '{}'::jsonb,
  failed jsonb not null default '{}'::jsonb,
  -- Metrics Meta rejected during the run, per platform.
  dropped_metrics jsonb not null default '{}'::jsonb,
  error text,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  constraint social_media_sync_runs_trigger_check check (trigger in ('cron', 'sync_now')),
  constraint social_media_sync_runs_status_check check (status in ('running', 'succeeded', 'partial', 'failed')),
  constraint social_media_sync_runs_shard_check check (shards >= 1 and shard >= 0 and shard < shards)
);

create index if not exists social_media_sync_runs_window_start_idx on public.social_media_sync_runs (window_start);
create index if not exists social_media_sync_runs_requested_by_idx
  on public.social_media_sync_runs (requested_by) where requested_by is not null;

-- Every account's outcome in a run: what the user reads to see why an account did not sync.
create table if not exists public.social_media_sync_run_accounts (
  run_id uuid not null references public.social_media_sync_runs (id) on delete cascade,
  social_media_account_id uuid not null references public.social_media_accounts (id) on delete cascade,
  user_id text not null,
  platform public.social_media_platform not null,
  account_id text not null,
  status text not null,
  error text,
  dropped_metrics text[] not null default '{}',
  hour_rows integer not null default 0,
  day_rows integer not null default 0,
  finished_at timestamptz not null default now(),
  primary key (run_id, social_media_account_id),
  constraint social_media_sync_run_accounts_status_check
    check (status in ('synced', 'partial', 'needs_reauth', 'rate_limited', 'failed'))
);

create index if not exists social_media_sync_run_accounts_user_idx
  on public.social_media_sync_run_accounts (user_id, finished_at);
create index if not exists social_media_sync_run_accounts_account_idx
  on public.social_media_sync_run_accounts (social_media_account_id);

-- The read RPC's access path: one user's rows of one period, by time. The platform is left out on
-- purpose: the RPC runs under RLS, where only leakproof operators may become index conditions,
-- and enum equality is not leakproof, so a platform column would stop the index at user_id.
create index if not exists idx_smi_user_period_window
  on public.social_media_insights (user_id, period, window_start);

revoke all on table public.social_media_sync_runs, public.social_media_sync_run_accounts
  from public, anon, authenticated;
grant select on table public.social_media_sync_runs, public.social_media_sync_run_accounts to authenticated;
grant select, insert, update, delete on table public.social_media_sync_runs, public.social_media_sync_run_accounts
  to service_role;

alter table public.social_media_sync_runs enable row level security;
alter table public.social_media_sync_run_accounts enable row level security;

-- A run's totals cover every account of the run, so a user sees only the runs they started
-- (Sync Now); the per-account outcomes of cron runs reach them through the table below.
drop policy if exists "Users can view the sync runs they started" on public.social_media_sync_runs;
create policy "Users can view the sync runs they started"
  on public.social_media_sync_runs for select to authenticated
  using (requested_by = (select auth.jwt() ->> 'sub'));

drop policy if exists "Service role can manage sync runs" on public.social_media_sync_runs;
create policy "Service role can manage sync runs"
  on public.social_media_sync_runs for all to service_role
  using (true) with check (true);

drop policy if exists "Users can view the sync outcomes of their accounts" on public.social_media_sync_run_accounts;
create policy "Users can view the sync outcomes of their accounts"
  on public.social_media_sync_run_accounts for select to authenticated
  using (user_id = (select auth.jwt() ->> 'sub'));

drop policy if exists "Service role can manage sync outcomes" on public.social_media_sync_run_accounts;
create policy "Service role can manage sync outcomes"
  on public.social_media_sync_run_accounts for all to service_role
  using (true) with check (true);

-- ---------------------------------------------------------------------------------------------
-- Derived values of an insights row.
--
-- `spec` comes from the service's metric configuration:
--   {"day_timezone": "America/Los_Angeles",
--    "levels": ["followers_count", ...],                  -- counters whose change is the delta
--    "rates": {"engagement_rate": ["numerator", "denominator"]}}
-- For an hourly row with the previous hour's metrics, each numeric metric present in both gets
-- `<metric>_delta`: a level's change, or for a day-to-date metric its growth since the previous
-- hour (the whole value when Meta's reporting day began in between). Rates need only the row.
-- ---------------------------------------------------------------------------------------------
create or replace function private.social_media_insights_derived(
  metrics jsonb,
  previous_metrics jsonb,
  window_start timestamptz,
  spec jsonb
)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select coalesce((
    select jsonb_object_agg(m.key || '_delta',
             case
               when spec -> 'levels' ? m.key
                 or (window_start at time zone (spec ->> 'day_timezone'))::date
                  = ((window_start - interval '1 hour') at time zone (spec ->> 'day_timezone'))::date
               then m.value::numeric - p.value::numeric
               else m.value::numeric
             end)
    from jsonb_each(metrics) m
    join jsonb_each(previous_metrics) p on p.key = m.key
    where jsonb_typeof(m.value) = 'number' and jsonb_typeof(p.value) = 'number'
  ), '{}'::jsonb) || coalesce((
    select jsonb_object_agg(r.key, round((metrics ->> (r.value ->> 0))::numeric
                                         / (metrics ->> (r.value ->> 1))::numeric, 4))
    from jsonb_each(coalesce(spec -> 'rates', '{}'::jsonb)) r
    where jsonb_typeof(metrics -> (r.value ->> 0)) = 'number'
      and jsonb_typeof(metrics -> (r.value ->> 1)) = 'number'
      and (metrics ->> (r.value ->> 1))::numeric > 0
  ), '{}'::jsonb)
$$;

-- The metrics of the hourly row before an hourly row's window; null for day rows and gaps.
create or replace function private.social_media_insights_previous_hour(
  p_user_id text,
  p_platform public.social_media_platform,
  p_account_id text,
  p_period text,
  p_window_start timestamptz
)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select prev.metrics from public.social_media_insights prev
  where p_period = 'hour' and prev.user_id = p_user_id and prev.platform = p_platform
    and prev.account_id = p_account_id and prev.period = 'hour'
    and prev.window_start = p_window_start - interval '1 hour'
$$;

-- ---------------------------------------------------------------------------------------------
-- Stores one batch of a run in one transaction: the insights rows, the accounts' outcomes, and
-- the accounts' status / last_error / last_synced_at.
--
-- insights: [{user_id, platform, account_id, period, window_start, window_end, metrics}]
--   Upserted on the table's unique key. Metrics are merged into a stored row, never replacing
--   it: a metric missing from this run (rejected, failed, no data) keeps the value stored
--   earlier. `derived` is computed here, inside the same statement that writes the row, from
--   the merged metrics and the previous hour's stored row; overlapping runs for one hour thus
--   write the same deltas instead of adding to them.
-- outcomes: [{social_media_account_id, user_id, platform, account_id, status, error,
--   dropped_metrics, hour_rows, day_rows}]
--   A failed account keeps its last_synced_at, so a first sync that failed backfills next time.
--   An account reconnected after the run started keeps the status its reconnect gave it.
-- spec: see private.social_media_insights_derived, one per platform: {"facebook": {...}, ...}.
-- ---------------------------------------------------------------------------------------------
create or replace function public.save_social_media_sync_batch(
  p_run_id uuid,
  p_insights jsonb,
  p_outcomes jsonb,
  p_spec jsonb
)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  saved_rows integer;
  recorded_outcomes integer;
  run_started_at timestamptz;
begin
  select started_at into run_started_at from public.social_media_sync_runs where id = p_run_id;
  if run_started_at is null then
    raise exception 'unknown sync run %', p_run_id using errcode = '22023';
  end if;

  insert into public.social_media_insights as s
    (user_id, platform, account_id, period, window_start, window_end, metrics, derived)
  select i.user_id, i.platform, i.account_id, i.period, i.window_start, i.window_end, i.metrics,
         private.social_media_insights_derived(
           i.metrics, private.social_media_insights_previous_hour(i.user_id, i.platform, i.account_id, i.period,
                                                                  i.window_start),
           i.window_start, p_spec -> i.platform::text)
  from jsonb_to_recordset(p_insights) as i(
    user_id text, platform public.social_media_platform, account_id text, period text,
    window_start timestamptz, window_end timestamptz, metrics jsonb)
  on conflict on constraint smi_unique do update set
    window_end = excluded.window_end,
    metrics = s.metrics || excluded.metrics,
    derived = private.social_media_insights_derived(
      s.metrics || excluded.metrics,
      private.social_media_insights_previous_hour(excluded.user_id, excluded.platform, excluded.account_id,
                                                  excluded.period, excluded.window_start),
      excluded.window_start, p_spec -> excluded.platform::text);
  get diagnostics saved_rows = row_count;

  insert into public.social_media_sync_run_accounts as r
    (run_id, social_media_account_id, user_id, platform, account_id, status, error, dropped_metrics,
     hour_rows, day_rows)
  select p_run_id, o.social_media_account_id, o.user_id, o.platform, o.account_id, o.status, o.error,
         coalesce(o.dropped_metrics, '{}'), coalesce(o.hour_rows, 0), coalesce(o.day_rows, 0)
  from jsonb_to_recordset(p_outcomes) as o(
    social_media_account_id uuid, user_id text, platform public.social_media_platform, account_id text,
    status text, error text, dropped_metrics text[], hour_rows integer, day_rows integer)
  on conflict (run_id, social_media_account_id) do update set
    status = excluded.status, error = excluded.error, dropped_metrics = excluded.dropped_metrics,
    hour_rows = excluded.hour_rows, day_rows = excluded.day_rows, finished_at = now();
  get diagnostics recorded_outcomes = row_count;

  update public.social_media_accounts a set
    status = case
      when o.status = 'needs_reauth' then 'needs_reauth'
      when o.status in ('synced', 'partial') then 'connected'
      else 'error'
    end::public.social_media_account_status,
    last_error = case when o.status = 'synced' then null else o.error end,
    last_synced_at = case when o.status in ('synced', 'partial') then now() else a.last_synced_at end
  from jsonb_to_recordset(p_outcomes) as o(social_media_account_id uuid, status text, error text)
  where a.id = o.social_media_account_id
    and not exists (select 1 from private.social_media_tokens t
                    where t.account_id = a.id and t.updated_at > run_started_at);

  return jsonb_build_object('insights', saved_rows, 'outcomes', recorded_outcomes);
end;
$$;

-- Completes a run from its recorded outcomes; `p_error` marks a run that could not go on.
create or replace function public.finish_social_media_sync_run(p_run_id uuid, p_error text default null)
returns public.social_media_sync_runs
language sql
set search_path = ''
as $$
  with per_platform as (
    select p.platform::text as platform,
           count(o.run_id) filter (where o.status in ('synced', 'partial')) as synced,
           count(o.run_id) filter (where o.status not in ('synced', 'partial')) as failed,
           coalesce((select jsonb_agg(distinct metric order by metric)
                     from public.social_media_sync_run_accounts d, unnest(d.dropped_metrics) as metric
                     where d.run_id = p_run_id and d.platform = p.platform), '[]'::jsonb) as dropped
    from unnest(enum_range(null::public.social_media_platform)) as p(platform)
    left join public.social_media_sync_run_accounts o on o.run_id = p_run_id and o.platform = p.platform
    group by p.platform
  ), totals as (
    select jsonb_object_agg(platform, synced) as synced,
           jsonb_object_agg(platform, failed) as failed,
           jsonb_object_agg(platform, dropped) filter (where dropped <> '[]'::jsonb) as dropped,
           sum(synced + failed)::integer as accounts,
           sum(failed) as failed_count,
           count(*) filter (where dropped <> '[]'::jsonb) as platforms_with_dropped
    from per_platform
  )
  update public.social_media_sync_runs r set
    finished_at = now(),
    accounts_total = t.accounts,
    synced = t.synced,
    failed = t.failed,
    dropped_metrics = coalesce(t.dropped, '{}'::jsonb),
    error = p_error,
    status = case
      when p_error is not null then 'failed'
      when t.failed_count > 0 or t.platforms_with_dropped > 0 then 'partial'
      else 'succeeded'
    end
  from totals t
  where r.id = p_run_id
  returning r.*
$$;

-- Old runs go with their outcomes; kept 30 days (the cron migration schedules this daily).
create or replace function public.prune_social_media_sync_runs(p_keep interval default interval '30 days')
returns integer
language sql
set search_path = ''
as $$
  with pruned as (
    delete from public.social_media_sync_runs where started_at < now() - p_keep returning 1
  )
  select count(*)::integer from pruned
$$;

-- ---------------------------------------------------------------------------------------------
-- The read RPC: POST /rest/v1/rpc/get_social_media_insights with the user's JWT.
--
-- Security invoker, so RLS applies; it also filters on the caller's `sub` itself, which keeps
-- the plan on idx_smi_user_period_window. Windows: `hours` = the current hour and the
-- N-1 before it (`days` likewise with UTC days); the default is 24 hours for `hour` rows and 7
-- days for `day` rows. Aggregates cover every numeric key of `metrics` and `derived`:
-- `sum_<key>` over the series, `last_<key>` the newest value (added up over the accounts when
-- there are several). Bad parameters raise SQLSTATE 22023, which PostgREST answers with 400.
-- ---------------------------------------------------------------------------------------------
create or replace function public.get_social_media_insights(
  platform text,
  period text default 'hour',
  hours integer default null,
  days integer default null,
  account_id text default null
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  max_hours constant integer := 24 * 90;
  max_days constant integer := 90;
  caller text := (select auth.jwt() ->> 'sub');
  since timestamptz;
  result jsonb;
begin
  if get_social_media_insights.platform is null
     or get_social_media_insights.platform not in ('facebook', 'instagram') then
    raise exception 'platform must be facebook or instagram' using errcode = '22023';
  end if;
  if get_social_media_insights.period is null or get_social_media_insights.period not in ('hour', 'day') then
    raise exception 'period must be hour or day' using errcode = '22023';
  end if;
  if hours is not null and days is not null then
    raise exception 'give hours or days, not both' using errcode = '22023';
  end if;
  if hours is not null and (hours < 1 or hours > max_hours) then
    raise exception 'hours must be between 1 and %', max_hours using errcode = '22023';
  end if;
  if days is not null and (days < 1 or days > max_days) then
    raise exception 'days must be between 1 and %', max_days using errcode = '22023';
  end if;

  if days is not null or (hours is null and get_social_media_insights.period = 'day') then
    since := date_trunc('day', now(), 'UTC') - make_interval(days => coalesce(days, 7) - 1);
  else
    since := date_trunc('hour', now(), 'UTC') - make_interval(hours => coalesce(hours, 24) - 1);
  end if;

  with series as (
    select i.account_id, i.window_start, i.window_end, i.metrics, coalesce(i.derived, '{}'::jsonb) as derived
    from public.social_media_insights i
    where i.user_id = caller
      and i.platform = get_social_media_insights.platform::public.social_media_platform
      and i.period = get_social_media_insights.period
      and i.window_start >= since
      and (get_social_media_insights.account_id is null or i.account_id = get_social_media_insights.account_id)
  ), numbers as (
    select s.account_id, s.window_start, kv.key, kv.value::numeric as value
    from series s, jsonb_each(s.metrics || s.derived) kv
    where jsonb_typeof(kv.value) = 'number'
  ), sums as (
    select key, sum(value) as value from numbers group by key
  ), lasts as (
    select key, sum(value) as value
    from (select distinct on (n.account_id, n.key) n.account_id, n.key, n.value
          from numbers n order by n.account_id, n.key, n.window_start desc) newest
    group by key
  )
  select jsonb_build_object(
    'platform', get_social_media_insights.platform,
    'period', get_social_media_insights.period,
    'since', to_char(since at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    'series', coalesce((
      select jsonb_agg(jsonb_build_object(
               'account_id', s.account_id,
               'window_start', to_char(s.window_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
               'window_end', to_char(s.window_end at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
               'metrics', s.metrics,
               'derived', s.derived) order by s.window_start, s.account_id)
      from series s), '[]'::jsonb),
    'aggregates', coalesce((select jsonb_object_agg('sum_' || key, value) from sums), '{}'::jsonb)
               || coalesce((select jsonb_object_agg('last_' || key, value) from lasts), '{}'::jsonb)
  ) into result;
  return result;
end;
$$;

-- ---------------------------------------------------------------------------------------------
-- Execute grants: the read RPC for signed-in users; everything else for service_role only.
-- ---------------------------------------------------------------------------------------------
revoke execute on function private.social_media_insights_derived(jsonb, jsonb, timestamptz, jsonb)
  from public, anon, authenticated;
revoke execute on function private.social_media_insights_previous_hour(text, public.social_media_platform, text, text, timestamptz)
  from public, anon, authenticated;
revoke execute on function public.save_social_media_sync_batch(uuid, jsonb, jsonb, jsonb) from public, anon, authenticated;
revoke execute on function public.finish_social_media_sync_run(uuid, text) from public, anon, authenticated;
revoke execute on function public.prune_social_media_sync_runs(interval) from public, anon, authenticated;
revoke execute on function public.get_social_media_insights(text, text, integer, integer, text) from public, anon;

grant execute on function private.social_media_insights_derived(jsonb, jsonb, timestamptz, jsonb) to service_role;
grant execute on function private.social_media_insights_previous_hour(text, public.social_media_platform, text, text, timestamptz)
  to service_role;
grant execute on function public.save_social_media_sync_batch(uuid, jsonb, jsonb, jsonb) to service_role;
grant execute on function public.finish_social_media_sync_run(uuid, text) to service_role;
grant execute on function public.prune_social_media_sync_runs(interval) to service_role;
grant execute on function public.get_social_media_insights(text, text, integer, integer, text)
  to authenticated, service_role;
