-- Storage of social_media_insights: what was stored twice goes (bench/storage.py measures it).
--
-- 1. The unique key is reordered to (user_id, period, window_start, platform, account_id): it
--    then serves the read RPC's range (one user's rows of one period from a time) as well as the
--    upsert and previous-hour lookups, so idx_smi_user_period_window, the same columns again,
--    goes. (The platform stays out of the leading columns: under RLS enum equality is not
--    leakproof and could not be an index condition; see 20261124100000.)
-- 2. idx_smi_account_period serves no query (every lookup starts from user_id).
-- 3. The retention job's range over window_start needs no B-tree per row: rows arrive in
--    window_start order, so a BRIN index (a few pages for the whole table) finds the old ones.
-- 4. end_times holds one entry "*" for the Meta day most values share and names only the
--    metrics whose value belongs to another day (the derived function reads both).

alter table public.social_media_insights drop constraint if exists smi_unique;
alter table public.social_media_insights
  add constraint smi_unique unique (user_id, period, window_start, platform, account_id);
drop index if exists public.idx_smi_user_period_window;
drop index if exists public.idx_smi_account_period;
drop index if exists public.idx_smi_window_start;
create index if not exists idx_smi_window_start_brin on public.social_media_insights using brin (window_start);

comment on column public.social_media_insights.end_times is
  'Per insights metric of an hour row: Meta''s end_time of the stored value (unix seconds), the end of the Meta day it belongs to; "*" for every metric not named.';

-- As in 20261130034749, with a metric's end_time read as its own entry or else "*".
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
      select coalesce(end_times -> m.key, end_times -> '*') as ended,
             coalesce(previous_end_times -> m.key, previous_end_times -> '*') as previously_ended
    ) e
    cross join lateral (
      select case
        when spec -> 'levels' ? m.key then m.value::numeric - p.value::numeric
        when spec -> 'uniques' ? m.key then null
        when jsonb_typeof(e.ended) = 'number' and jsonb_typeof(e.previously_ended) = 'number' then
          case
            when e.ended::bigint = e.previously_ended::bigint then nullif(m.value::numeric - p.value::numeric, 0)
            when e.ended::bigint > e.previously_ended::bigint then m.value::numeric
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

