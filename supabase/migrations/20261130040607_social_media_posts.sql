-- Posts, reels and stories with their insights: which content worked.
--
-- social_media_posts: one row per Facebook Page post or reel, Instagram feed media, reel or story,
-- with its latest lifetime metrics and when they are next due (refresh slows as a post ages).
-- social_media_post_insights: one row per post per UTC day it was fetched (the day's last value),
-- so a post's growth can be followed without a row per hour.
-- Rows belong to their account (on delete cascade), so a disconnect-and-delete or Meta's
-- data-deletion callback removes them with it.

create table if not exists public.social_media_posts (
  id uuid primary key default gen_random_uuid(),
  social_media_account_id uuid not null references public.social_media_accounts (id) on delete cascade,
  user_id text not null,
  platform public.social_media_platform not null,
  account_id text not null,
  -- Meta's id: `{page-id}_{post-id}` for a Page post, the video id of a Page reel, the IG media id.
  post_id text not null,
  -- Instagram: IMAGE, VIDEO or CAROUSEL_ALBUM; Facebook reels VIDEO; Facebook posts null.
  media_type text,
  -- FEED, REELS or STORY (Instagram); POST or REELS (Facebook). Decides which metrics apply.
  media_product_type text not null,
  caption_excerpt text,
  permalink text,
  media_url text,
  thumbnail_url text,
  published_at timestamptz not null,
  -- Stories: published_at + 24 h, after which Meta no longer answers for them.
  expires_at timestamptz,
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  -- Latest lifetime values (numbers only), merged so a metric missing from one answer keeps its value.
  metrics jsonb not null default '{}'::jsonb,
  metrics_fetched_at timestamptz,
  -- When the sync should read its insights again; null: never (too old, or an expired story).
  next_refresh_at timestamptz default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint social_media_posts_account_post_key unique (social_media_account_id, post_id),
  constraint social_media_posts_caption_length check (char_length(caption_excerpt) <= 300),
  constraint social_media_posts_product_type_check
    check (media_product_type in ('FEED', 'REELS', 'STORY', 'POST'))
);

-- "Top posts of an account in a range": every condition is an index condition under RLS
-- (text and timestamptz comparisons are leakproof; the platform enum is left out, see
-- idx_smi_user_period_window), and `id` and `metrics` are included, so ranking the range is an
-- index-only scan; only the page of rows returned visits the table.
create index if not exists social_media_posts_user_account_published_idx
  on public.social_media_posts (user_id, account_id, published_at) include (id, metrics);

-- The sync's question: which posts of these accounts are due now.
create index if not exists social_media_posts_due_idx
  on public.social_media_posts (social_media_account_id, next_refresh_at) where next_refresh_at is not null;

drop trigger if exists update_social_media_posts_updated_at on public.social_media_posts;
create trigger update_social_media_posts_updated_at
  before update on public.social_media_posts
  for each row execute function public.update_updated_at_column();

create table if not exists public.social_media_post_insights (
  social_media_post_id uuid not null references public.social_media_posts (id) on delete cascade,
  user_id text not null,
  snapshot_date date not null,
  metrics jsonb not null,
  fetched_at timestamptz not null,
  primary key (social_media_post_id, snapshot_date)
);

create index if not exists social_media_post_insights_user_idx
  on public.social_media_post_insights (user_id, snapshot_date);

revoke all on table public.social_media_posts, public.social_media_post_insights from public, anon, authenticated;
grant select on table public.social_media_posts, public.social_media_post_insights to authenticated;
grant select, insert, update, delete on table public.social_media_posts, public.social_media_post_insights
  to service_role;

alter table public.social_media_posts enable row level security;
alter table public.social_media_post_insights enable row level security;

drop policy if exists "Users can view their own social media posts" on public.social_media_posts;
create policy "Users can view their own social media posts"
  on public.social_media_posts for select to authenticated
  using (user_id = (select auth.jwt() ->> 'sub'));

drop policy if exists "Service role can manage social media posts" on public.social_media_posts;
create policy "Service role can manage social media posts"
  on public.social_media_posts for all to service_role
  using (true) with check (true);

drop policy if exists "Users can view their own social media post insights" on public.social_media_post_insights;
create policy "Users can view their own social media post insights"
  on public.social_media_post_insights for select to authenticated
  using (user_id = (select auth.jwt() ->> 'sub'));

drop policy if exists "Service role can manage social media post insights" on public.social_media_post_insights;
create policy "Service role can manage social media post insights"
  on public.social_media_post_insights for all to service_role
  using (true) with check (true);

-- ---------------------------------------------------------------------------------------------
-- Service RPCs.
-- ---------------------------------------------------------------------------------------------
-- Saves what one sync step learnt: `p_posts` as listed by Meta (upserted; a value Meta left out
-- keeps the stored one) and `p_insights` as read ({social_media_account_id, post_id, metrics,
-- fetched_at, next_refresh_at}): merged into the post's latest metrics and into that UTC day's
-- snapshot row. Posts first, so insights of a post listed in the same call find it.
create or replace function public.save_social_media_posts(p_posts jsonb, p_insights jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  saved_posts integer;
  saved_insights integer;
begin
  insert into public.social_media_posts as p
    (social_media_account_id, user_id, platform, account_id, post_id, media_type, media_product_type,
     caption_excerpt, permalink, media_url, thumbnail_url, published_at, expires_at)
  select i.social_media_account_id, a.user_id, a.platform, a.account_id, i.post_id, i.media_type,
         i.media_product_type, left(i.caption_excerpt, 300), i.permalink, i.media_url, i.thumbnail_url,
         i.published_at, i.expires_at
  from jsonb_to_recordset(p_posts) as i(
    social_media_account_id uuid, post_id text, media_type text, media_product_type text, caption_excerpt text,
    permalink text, media_url text, thumbnail_url text, published_at timestamptz, expires_at timestamptz)
  join public.social_media_accounts a on a.id = i.social_media_account_id
  on conflict on constraint social_media_posts_account_post_key do update set
    media_type = coalesce(excluded.media_type, p.media_type),
    media_product_type = excluded.media_product_type,
    caption_excerpt = coalesce(excluded.caption_excerpt, p.caption_excerpt),
    permalink = coalesce(excluded.permalink, p.permalink),
    media_url = coalesce(excluded.media_url, p.media_url),
    thumbnail_url = coalesce(excluded.thumbnail_url, p.thumbnail_url),
    published_at = excluded.published_at,
    expires_at = coalesce(excluded.expires_at, p.expires_at),
    last_seen_at = now();
  get diagnostics saved_posts = row_count;

  with fetched as (
    select i.social_media_account_id, i.post_id, i.metrics, i.fetched_at, i.next_refresh_at
    from jsonb_to_recordset(p_insights) as i(
      social_media_account_id uuid, post_id text, metrics jsonb, fetched_at timestamptz, next_refresh_at timestamptz)
  ), updated as (
    -- A read that brought no values (Meta refused it) only moves the post's next refresh.
    update public.social_media_posts p set
      metrics = p.metrics || f.metrics,
      metrics_fetched_at = case when f.metrics = '{}'::jsonb then p.metrics_fetched_at
                                else greatest(p.metrics_fetched_at, f.fetched_at) end,
      next_refresh_at = f.next_refresh_at
    from fetched f
    where p.social_media_account_id = f.social_media_account_id and p.post_id = f.post_id
    returning p.id, p.user_id, f.metrics, f.fetched_at
  )
  insert into public.social_media_post_insights as s (social_media_post_id, user_id, snapshot_date, metrics, fetched_at)
  select u.id, u.user_id, (u.fetched_at at time zone 'UTC')::date, u.metrics, u.fetched_at from updated u
  where u.metrics <> '{}'::jsonb
  on conflict (social_media_post_id, snapshot_date) do update set
    metrics = s.metrics || excluded.metrics,
    fetched_at = greatest(s.fetched_at, excluded.fetched_at);
  get diagnostics saved_insights = row_count;

  return jsonb_build_object('posts', saved_posts, 'insights', saved_insights);
end;
$$;

-- The posts of these accounts whose insights are due at `p_now`, as one JSON array (not a set of
-- rows, so PostgREST's max-rows cap cannot cut it short).
create or replace function public.due_social_media_posts(p_account_ids uuid[], p_now timestamptz default now())
returns jsonb
language sql
stable
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object(
           'social_media_account_id', p.social_media_account_id,
           'post_id', p.post_id,
           'media_product_type', p.media_product_type,
           'published_at', p.published_at,
           'expires_at', p.expires_at) order by p.social_media_account_id, p.next_refresh_at), '[]'::jsonb)
  from public.social_media_posts p
  where p.social_media_account_id = any (p_account_ids)
    and p.next_refresh_at <= p_now
$$;

-- ---------------------------------------------------------------------------------------------
-- The read RPC: POST /rest/v1/rpc/get_social_media_posts with the user's JWT.
--
-- One account's posts published in [since, until) (default: the last 30 days up to now), with
-- their latest metrics, sorted by `sort` (`published_at` or any metric name, e.g. `views`;
-- posts without that metric last) in `direction`, `page_size` rows from page `page`. Security
-- invoker, so RLS applies; it also filters on the caller's `sub`, which keeps the ranking on
-- social_media_posts_user_account_published_idx. Bad parameters raise SQLSTATE 22023 (HTTP 400).
-- ---------------------------------------------------------------------------------------------
create or replace function public.get_social_media_posts(
  account_id text,
  since timestamptz default null,
  until timestamptz default null,
  sort text default 'published_at',
  direction text default 'desc',
  page_size integer default 20,
  page integer default 1
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  max_page_size constant integer := 100;
  max_range constant interval := interval '2 years';
  caller text := (select auth.jwt() ->> 'sub');
  range_end timestamptz := coalesce(get_social_media_posts.until, now());
  range_start timestamptz := coalesce(get_social_media_posts.since, range_end - interval '30 days');
  descending boolean;
  total integer;
  result jsonb;
begin
  if get_social_media_posts.account_id is null or get_social_media_posts.account_id = '' then
    raise exception 'account_id is required' using errcode = '22023';
  end if;
  if range_start >= range_end then
    raise exception 'since must be earlier than until' using errcode = '22023';
  end if;
  if range_end - range_start > max_range then
    raise exception 'since and until may be at most 2 years apart' using errcode = '22023';
  end if;
  if sort is null or sort !~ '^[a-z][a-z0-9_.]{0,63}$' then
    raise exception 'sort must be published_at or a metric name' using errcode = '22023';
  end if;
  if direction is null or direction not in ('asc', 'desc') then
    raise exception 'direction must be asc or desc' using errcode = '22023';
  end if;
  if page_size is null or page_size < 1 or page_size > max_page_size then
    raise exception 'page_size must be between 1 and %', max_page_size using errcode = '22023';
  end if;
  if page is null or page < 1 then
    raise exception 'page must be 1 or more' using errcode = '22023';
  end if;
  descending := direction = 'desc';

  with in_range as (
    select p.id, p.published_at,
           case when sort = 'published_at' then extract(epoch from p.published_at)
                when jsonb_typeof(p.metrics -> sort) = 'number' then (p.metrics ->> sort)::numeric
           end as sort_value
    from public.social_media_posts p
    where p.user_id = caller
      and p.account_id = get_social_media_posts.account_id
      and p.published_at >= range_start
      and p.published_at < range_end
  ), ranked as (
    select r.id, row_number() over (
             order by case when descending then r.sort_value end desc nulls last,
                      case when not descending then r.sort_value end asc nulls last,
                      r.published_at desc, r.id) as position,
           count(*) over () as total
    from in_range r
  ), chosen as (
    select r.id, r.position, r.total from ranked r
    where r.position > (page - 1) * page_size and r.position <= page * page_size
  )
  select coalesce(max(c.total), (select count(*) from in_range))::integer,
         coalesce(jsonb_agg(jsonb_build_object(
           'post_id', p.post_id,
           'platform', p.platform,
           'account_id', p.account_id,
           'media_type', p.media_type,
           'media_product_type', p.media_product_type,
           'caption_excerpt', p.caption_excerpt,
           'permalink', p.permalink,
           'media_url', p.media_url,
           'thumbnail_url', p.thumbnail_url,
           'published_at', to_char(p.published_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'expires_at', to_char(p.expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'metrics', p.metrics,
           'metrics_fetched_at', to_char(p.metrics_fetched_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
         ) order by c.position), '[]'::jsonb)
    into total, result
  from chosen c
  join public.social_media_posts p on p.id = c.id;

  return jsonb_build_object(
    'account_id', get_social_media_posts.account_id,
    'since', to_char(range_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    'until', to_char(range_end at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    'sort', sort,
    'direction', direction,
    'page', page,
    'page_size', page_size,
    'total', total,
    'posts', result);
end;
$$;

revoke execute on function public.save_social_media_posts(jsonb, jsonb) from public, anon, authenticated;
revoke execute on function public.due_social_media_posts(uuid[], timestamptz) from public, anon, authenticated;
revoke execute on function public.get_social_media_posts(text, timestamptz, timestamptz, text, text, integer, integer)
  from public, anon;
grant execute on function public.save_social_media_posts(jsonb, jsonb) to service_role;
grant execute on function public.due_social_media_posts(uuid[], timestamptz) to service_role;
grant execute on function public.get_social_media_posts(text, timestamptz, timestamptz, text, text, integer, integer)
  to authenticated, service_role;
