-- Freshness told honestly, and deltas only between values Meta changed.
--
-- Meta updates most Page metrics once a day, and Instagram's may arrive up to 48 hours late and
-- be revised (graph-api.md §3, §4). So an hourly row records:
--   fetched_at: when the service fetched its values;
--   end_times:  per insights metric, Meta's `end_time` of the value stored (unix seconds): the end
--               of the Meta day the value belongs to. Node fields (followers_count, ...) have none:
--               they are the value at fetched_at. Day rows need none: their window is the day.
-- Hourly deltas are then derived only from what Meta changed (see the derived function), and
-- saving an hour row also re-derives the next hour's row when that one was saved first (late).

alter table public.social_media_insights add column if not exists fetched_at timestamptz;
alter table public.social_media_insights add column if not exists end_times jsonb;

comment on column public.social_media_insights.fetched_at is
  'When the service fetched these values from Meta.';
comment on column public.social_media_insights.end_times is
  'Per insights metric of an hour row: Meta''s end_time of the stored value (unix seconds), the end of the Meta day it belongs to.';

-- ---------------------------------------------------------------------------------------------
-- Derived values of a row (day rows have no previous row: rates only).
--
-- `spec` comes from the service's metric catalog (catalog.py, Catalog.derivation_spec):
--   {"day_timezone": "America/Los_Angeles",
--    "levels": ["followers_count", ...],       -- counters: the delta is their change
--    "uniques": ["reach", ...],                -- distinct people per day: no delta (not countable)
--    "rates": {"engagement_rate": ["numerator", "denominator"]}}
-- For each numeric metric present in this row and the previous hour's:
--   level:    `<metric>_delta` = value - previous value;
--   unique:   nothing;
--   additive (day-to-date): with both end_times known,
--               same Meta day and same value -> nothing (Meta did not update it),
--               same Meta day, other value   -> the difference (Meta updated or revised it),
--               a newer Meta day            -> the whole value (the new day's count so far),
--               an older one                -> nothing;
--             without end_times (rows saved before this migration): growth since the previous
--             hour, the whole value when Meta's day began in between.
-- Rates need only the row. An empty result is null, which stores nothing.
-- ---------------------------------------------------------------------------------------------
create or replace function private.social_media_insights_derived(
  metrics jsonb,
  previous_metrics jsonb,
  end_times jsonb,
  previous_end_times jsonb,
  window_start timestamptz,
  spec jsonb
)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select nullif(coalesce((
    select jsonb_object_agg(m.key || '_delta', d.delta)
    from jsonb_each(metrics) m
    join jsonb_each(previous_metrics) p on p.key = m.key
    cross join lateral (
      select case
        when spec -> 'levels' ? m.key then m.value::numeric - p.value::numeric
        when spec -> 'uniques' ? m.key then null
        when jsonb_typeof(end_times -> m.key) = 'number' and jsonb_typeof(previous_end_times -> m.key) = 'number' then
          case
            when (end_times ->> m.key)::bigint = (previous_end_times ->> m.key)::bigint
              then nullif(m.value::numeric - p.value::numeric, 0)
            when (end_times ->> m.key)::bigint > (previous_end_times ->> m.key)::bigint then m.value::numeric
          end
        when (window_start at time zone (spec ->> 'day_timezone'))::date
           = ((window_start - interval '1 hour') at time zone (spec ->> 'day_timezone'))::date
          then m.value::numeric - p.value::numeric
        else m.value::numeric
      end as delta
    ) d
    where jsonb_typeof(m.value) = 'number' and jsonb_typeof(p.value) = 'number' and d.delta is not null
  ), '{}'::jsonb) || coalesce((
    select jsonb_object_agg(r.key, round((metrics ->> (r.value ->> 0))::numeric
                                         / (metrics ->> (r.value ->> 1))::numeric, 4))
    from jsonb_each(coalesce(spec -> 'rates', '{}'::jsonb)) r
    where jsonb_typeof(metrics -> (r.value ->> 0)) = 'number'
      and jsonb_typeof(metrics -> (r.value ->> 1)) = 'number'
      and (metrics ->> (r.value ->> 1))::numeric > 0
  ), '{}'::jsonb), '{}'::jsonb)
$$;

-- The earlier form (no end_times), kept for callers of the released signature such as the seed.
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
  select private.social_media_insights_derived(metrics, previous_metrics, null, null, window_start, spec)
$$;

-- ---------------------------------------------------------------------------------------------
-- Stores one batch of a run (as in 20261124100000_insights_sync.sql), now also:
--   insights items may carry `fetched_at` (default now()) and `end_times` (merged like metrics);
--   `derived` of an hour row comes from its own and the previous hour's metrics and end_times;
--   the next hour's row, when it was saved before this one (late), is re-derived against it.
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

  with incoming as (
    select i.user_id, i.platform, i.account_id, i.period, i.window_start, i.window_end, i.metrics,
           nullif(coalesce(i.end_times, '{}'::jsonb), '{}'::jsonb) as end_times,
           coalesce(i.fetched_at, now()) as fetched_at
    from jsonb_to_recordset(p_insights) as i(
      user_id text, platform public.social_media_platform, account_id text, period text,
      window_start timestamptz, window_end timestamptz, metrics jsonb, end_times jsonb, fetched_at timestamptz)
  ), previous as (
    select n.*, prev.metrics as previous_metrics, prev.end_times as previous_end_times
    from incoming n
    left join public.social_media_insights prev
      on n.period = 'hour' and prev.user_id = n.user_id and prev.platform = n.platform
     and prev.account_id = n.account_id and prev.period = 'hour'
     and prev.window_start = n.window_start - interval '1 hour'
  )
  insert into public.social_media_insights as s
    (user_id, platform, account_id, period, window_start, window_end, metrics, end_times, fetched_at, derived)
  select p.user_id, p.platform, p.account_id, p.period, p.window_start, p.window_end, p.metrics, p.end_times,
         p.fetched_at,
         private.social_media_insights_derived(p.metrics, p.previous_metrics, p.end_times, p.previous_end_times,
                                               p.window_start, p_spec -> p.platform::text)
  from previous p
  on conflict on constraint smi_unique do update set
    window_end = excluded.window_end,
    metrics = s.metrics || excluded.metrics,
    end_times = nullif(coalesce(s.end_times, '{}'::jsonb) || coalesce(excluded.end_times, '{}'::jsonb), '{}'::jsonb),
    fetched_at = excluded.fetched_at,
    derived = private.social_media_insights_derived(
      s.metrics || excluded.metrics,
      (select prev.metrics from public.social_media_insights prev
       where prev.user_id = s.user_id and prev.platform = s.platform and prev.account_id = s.account_id
         and prev.period = 'hour' and prev.window_start = s.window_start - interval '1 hour'),
      nullif(coalesce(s.end_times, '{}'::jsonb) || coalesce(excluded.end_times, '{}'::jsonb), '{}'::jsonb),
      (select prev.end_times from public.social_media_insights prev
       where prev.user_id = s.user_id and prev.platform = s.platform and prev.account_id = s.account_id
         and prev.period = 'hour' and prev.window_start = s.window_start - interval '1 hour'),
      s.window_start, p_spec -> s.platform::text);
  get diagnostics saved_rows = row_count;

  -- Late deltas: an hour saved after the hour following it (a run that was late, a retry) gives
  -- that following hour the previous row it lacked.
  update public.social_media_insights nxt set
    derived = private.social_media_insights_derived(nxt.metrics, cur.metrics, nxt.end_times, cur.end_times,
                                                    nxt.window_start, p_spec -> nxt.platform::text)
  from jsonb_to_recordset(p_insights) as i(
         user_id text, platform public.social_media_platform, account_id text, period text, window_start timestamptz)
  join public.social_media_insights cur
    on cur.user_id = i.user_id and cur.platform = i.platform and cur.account_id = i.account_id
   and cur.period = 'hour' and cur.window_start = i.window_start
  where i.period = 'hour'
    and nxt.user_id = i.user_id and nxt.platform = i.platform and nxt.account_id = i.account_id
    and nxt.period = 'hour' and nxt.window_start = i.window_start + interval '1 hour'
    and nxt.derived is distinct from private.social_media_insights_derived(
          nxt.metrics, cur.metrics, nxt.end_times, cur.end_times, nxt.window_start, p_spec -> nxt.platform::text);

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

revoke execute on function private.social_media_insights_derived(jsonb, jsonb, jsonb, jsonb, timestamptz, jsonb)
  from public, anon, authenticated;
grant execute on function private.social_media_insights_derived(jsonb, jsonb, jsonb, jsonb, timestamptz, jsonb)
  to service_role;
