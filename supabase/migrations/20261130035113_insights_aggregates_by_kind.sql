-- Aggregates by kind in the read RPC, and how fresh the numbers are.
--
-- Summing every key (the earlier `sum_<key>`) added up follower counts, day-to-date snapshots and
-- reach, which is distinct people and not additive. Each metric now aggregates by its kind, as
-- the service's metric catalog (webhook_service/catalog.py) declares it:
--   additive  sum_<m>       the sum of the hourly deltas (hour rows: what happened in the window)
--                           or of the day values (day rows);
--             last_hour_<m> (hour rows) the newest hour's delta;
--   level     last_<m>      the newest value; change_<m> its change over the window;
--   unique    last_<m>      Meta's newest day value; never summed over hours or days;
--   rate      <m>           recomputed from its parts' aggregates (numerator / denominator).
-- With several accounts each per-account figure is added up over the accounts.

-- The kinds of the catalog's metrics that are not additive; a metric not listed is additive.
-- Kept equal to the catalog by tests/service/test_catalog.py.
create table if not exists public.social_media_metric_kinds (
  platform public.social_media_platform not null,
  metric text not null,
  kind text not null,
  numerator text,
  denominator text,
  primary key (platform, metric),
  constraint social_media_metric_kinds_kind_check check (kind in ('additive', 'unique', 'level', 'rate')),
  constraint social_media_metric_kinds_rate_check check ((kind = 'rate') = (numerator is not null and denominator is not null))
);

comment on table public.social_media_metric_kinds is
  'How each stored insights metric aggregates (webhook_service/catalog.py); metrics not listed are additive.';

insert into public.social_media_metric_kinds (platform, metric, kind, numerator, denominator) values
  ('facebook', 'followers_count', 'level', null, null),
  ('facebook', 'fan_count', 'level', null, null),
  ('facebook', 'page_follows', 'level', null, null),
  ('facebook', 'page_total_media_view_unique', 'unique', null, null),
  ('facebook', 'engagement_rate', 'rate', 'page_post_engagements', 'page_total_media_view_unique'),
  ('instagram', 'followers_count', 'level', null, null),
  ('instagram', 'media_count', 'level', null, null),
  ('instagram', 'reach', 'unique', null, null),
  ('instagram', 'accounts_engaged', 'unique', null, null),
  ('instagram', 'engagement_rate', 'rate', 'total_interactions', 'reach')
on conflict (platform, metric) do update set
  kind = excluded.kind, numerator = excluded.numerator, denominator = excluded.denominator;

revoke all on table public.social_media_metric_kinds from public, anon, authenticated;
grant select on table public.social_media_metric_kinds to authenticated;
grant select, insert, update, delete on table public.social_media_metric_kinds to service_role;
alter table public.social_media_metric_kinds enable row level security;

drop policy if exists "Signed-in users can read the metric kinds" on public.social_media_metric_kinds;
create policy "Signed-in users can read the metric kinds"
  on public.social_media_metric_kinds for select to authenticated
  using (true);

drop policy if exists "Service role can manage the metric kinds" on public.social_media_metric_kinds;
create policy "Service role can manage the metric kinds"
  on public.social_media_metric_kinds for all to service_role
  using (true) with check (true);

-- ---------------------------------------------------------------------------------------------
-- The read RPC (parameters and windows as in 20261124100000_insights_sync.sql). The answer adds:
--   aggregates  by kind, as above;
--   kinds       {metric: kind} of the metrics in the series;
--   freshness   per account: fetched_at of its newest row, and the oldest and newest Meta
--               end_time of that row's values (Pages update about once a day, Instagram up to
--               48 hours late: a value can belong to an earlier day than the row's hour).
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
    select i.account_id, i.window_start, i.window_end, i.metrics, coalesce(i.derived, '{}'::jsonb) as derived,
           i.end_times, i.fetched_at
    from public.social_media_insights i
    where i.user_id = caller
      and i.platform = get_social_media_insights.platform::public.social_media_platform
      and i.period = get_social_media_insights.period
      and i.window_start >= since
      and (get_social_media_insights.account_id is null or i.account_id = get_social_media_insights.account_id)
  ), kinds as (
    select k.metric, k.kind, k.numerator, k.denominator from public.social_media_metric_kinds k
    where k.platform = get_social_media_insights.platform::public.social_media_platform
  ), newest as (
    select distinct on (s.account_id) s.* from series s order by s.account_id, s.window_start desc
  ), numbers as (
    select s.account_id, s.window_start, kv.key, kv.value::numeric as value,
           coalesce((select k.kind from kinds k where k.metric = kv.key), 'additive') as kind
    from series s, jsonb_each(s.metrics) kv
    where jsonb_typeof(kv.value) = 'number'
  ), deltas as (
    select s.account_id, s.window_start, left(kv.key, -length('_delta')) as key, kv.value::numeric as value
    from series s, jsonb_each(s.derived) kv
    where kv.key like '%\_delta' and jsonb_typeof(kv.value) = 'number'
  ), additive as (
    -- Hour rows: the deltas of additive metrics; day rows: the day values.
    select d.key, d.account_id, d.window_start, d.value from deltas d
    where get_social_media_insights.period = 'hour'
      and coalesce((select k.kind from kinds k where k.metric = d.key), 'additive') = 'additive'
    union all
    select n.key, n.account_id, n.window_start, n.value from numbers n
    where get_social_media_insights.period = 'day' and n.kind = 'additive'
  ), sums as (
    select key, sum(value) as value from additive group by key
  ), last_hour as (
    select a.key, sum(a.value) as value from additive a
    join newest w on w.account_id = a.account_id and w.window_start = a.window_start
    where get_social_media_insights.period = 'hour'
    group by a.key
  ), ends as (
    -- Per account and level or unique metric: its oldest and newest value in the window.
    select key, kind,
           sum(newest_value) as last_value, sum(newest_value - oldest_value) as change
    from (select distinct on (n.account_id, n.key) n.key, n.kind,
                 first_value(n.value) over w as oldest_value, last_value(n.value) over w as newest_value
          from numbers n
          where n.kind in ('level', 'unique')
          window w as (partition by n.account_id, n.key order by n.window_start
                       rows between unbounded preceding and unbounded following)) per_account
    group by key, kind
  ), part_values as (
    select key, value from sums union all select key, last_value from ends
  ), rates as (
    select k.metric, round(num.value / den.value, 4) as value
    from kinds k
    join part_values num on num.key = k.numerator
    join part_values den on den.key = k.denominator
    where k.kind = 'rate' and den.value > 0
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
               || coalesce((select jsonb_object_agg('last_hour_' || key, value) from last_hour), '{}'::jsonb)
               || coalesce((select jsonb_object_agg('last_' || key, last_value) from ends), '{}'::jsonb)
               || coalesce((select jsonb_object_agg('change_' || key, change) from ends where kind = 'level'),
                           '{}'::jsonb)
               || coalesce((select jsonb_object_agg(metric, value) from rates), '{}'::jsonb),
    'kinds', coalesce((select jsonb_object_agg(key, kind)
                       from (select distinct key, kind from numbers
                             union select k.metric, k.kind from kinds k join rates r on r.metric = k.metric) named),
                      '{}'::jsonb),
    'freshness', coalesce((
      select jsonb_agg(jsonb_build_object(
               'account_id', w.account_id,
               'fetched_at', to_char(w.fetched_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
               'oldest_end_time', (select to_char(to_timestamp(min(e.value::bigint)) at time zone 'UTC',
                                                  'YYYY-MM-DD"T"HH24:MI:SS"Z"') from jsonb_each_text(w.end_times) e),
               'newest_end_time', (select to_char(to_timestamp(max(e.value::bigint)) at time zone 'UTC',
                                                  'YYYY-MM-DD"T"HH24:MI:SS"Z"') from jsonb_each_text(w.end_times) e))
             order by w.account_id)
      from newest w), '[]'::jsonb)
  ) into result;
  return result;
end;
$$;
