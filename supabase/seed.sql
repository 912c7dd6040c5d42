-- Demo data so a fresh `make run` shows something: two businesses (Clerk-style user ids), each
-- with a Facebook Page and its linked Instagram account, 30 days of daily insights (what the
-- first sync backfills) and 72 hours of hourly rows. Maya's Flowers lives on Instagram and
-- peaks at weekends; Theo's Coffee Roasters is bigger on Facebook and busiest on weekdays.
-- Pictures are the UI's own files (ui/img/demo/), so the demo works offline.
-- No tokens: the demo accounts are never synced until their owner connects for real.
-- Idempotent: `supabase db push --include-seed` re-runs it when this file changes.

insert into public.social_media_accounts
  (user_id, platform, account_id, account_name, username, profile_picture_url, is_test_account, permissions, meta_user_id, last_synced_at)
select user_id, platform::public.social_media_platform, account_id, account_name, username, picture, true,
       '{"granted": ["pages_show_list", "pages_read_engagement", "instagram_basic", "instagram_manage_insights", "read_insights", "business_management"], "declined": []}',
       meta_user_id, date_trunc('hour', now()) - interval '12 minutes'
from (values
  ('user_demo_maya', 'facebook', '104900000000101', 'Maya''s Flowers', 'mayasflowers', 'img/demo/mayas-flowers.svg', '122900000000101'),
  ('user_demo_maya', 'instagram', '17841490000000101', 'Maya''s Flowers', 'mayas.flowers', 'img/demo/mayas-flowers.svg', '122900000000101'),
  ('user_demo_theo', 'facebook', '104900000000202', 'Theo''s Coffee Roasters', 'theoscoffee', 'img/demo/theos-coffee.svg', '122900000000202'),
  ('user_demo_theo', 'instagram', '17841490000000202', 'Theo''s Coffee Roasters', 'theos.coffee', 'img/demo/theos-coffee.svg', '122900000000202')
) as demo (user_id, platform, account_id, account_name, username, picture, meta_user_id)
on conflict (user_id, platform, account_id) do nothing;

-- Each account's scale: views per day, followers now, followers gained per day, and its weekly
-- rhythm (extra activity on the days it is busiest: 0 = Sunday).
create temporary table demo_profiles (account_id text primary key, views integer, followers integer, growth integer,
                                      busy_days integer[], busy_boost numeric) on commit drop;
insert into demo_profiles values
  ('104900000000101',   420,  860,  3, '{0,5,6}', 0.45),
  ('17841490000000101', 2600, 4120, 14, '{0,5,6}', 0.60),
  ('104900000000202',   3100, 5480, 9, '{1,2,3,4,5}', 0.30),
  ('17841490000000202', 1250, 1930, 5, '{1,2,3,4,5}', 0.25);

-- Hourly rows for the last 72 hours, shaped like the sync's: `metrics` holds the account's
-- counters and Meta's day-to-date figures (Meta's day ends at midnight in California), and
-- `derived` is computed by the same function the sync uses, from the previous hour's row.
-- Activity per hour follows the hour of day and is deterministic, so the UI and the tests agree.
with hours as (
  select a.user_id, a.platform, a.account_id, h, p.views, p.followers, p.growth,
         date_trunc('hour', now()) - make_interval(hours => h) as window_start
  from public.social_media_accounts a
  join demo_profiles p using (account_id)
  cross join generate_series(1, 72) as h
), activity as (
  select hours.*,
         -- Daytime hours (UTC) get most of the day's activity; a small wobble per hour.
         greatest(1, round(views / 24.0 * (case when extract(hour from window_start) between 7 and 20 then 1.6 else 0.3 end)
                           * (0.85 + ((h * 7) % 11) / 36.0)))::int as hour_views
  from hours
), day_to_date as (
  select activity.*,
         sum(hour_views) over meta_day as views_so_far,
         sum(round(hour_views * 0.55)) over meta_day as viewers_so_far,
         sum(round(hour_views * 0.08)) over meta_day as engagements_so_far,
         sum(round(hour_views * 0.03)) over meta_day as visits_so_far
  from activity
  window meta_day as (partition by user_id, platform, account_id,
                      (window_start at time zone 'America/Los_Angeles')::date order by window_start)
), snapshots as (
  select user_id, platform, account_id, window_start,
         case platform
           when 'facebook' then jsonb_build_object(
             'followers_count', followers - round(growth * h / 24.0),
             'fan_count', round((followers - round(growth * h / 24.0)) * 0.96),
             'page_media_view', views_so_far,
             'page_total_media_view_unique', viewers_so_far,
             'page_post_engagements', engagements_so_far,
             'page_views_total', visits_so_far)
           else jsonb_build_object(
             'followers_count', followers - round(growth * h / 24.0),
             'media_count', 140 + (followers % 90),
             'reach', viewers_so_far,
             'views', views_so_far,
             'accounts_engaged', visits_so_far,
             'total_interactions', engagements_so_far)
         end as metrics,
         case platform
           when 'facebook' then '{"day_timezone": "America/Los_Angeles", "levels": ["followers_count", "fan_count", "page_follows"],
                                 "uniques": ["page_total_media_view_unique"],
                                 "rates": {"engagement_rate": ["page_post_engagements", "page_total_media_view_unique"]}}'::jsonb
           else '{"day_timezone": "America/Los_Angeles", "levels": ["followers_count", "media_count"],
                  "uniques": ["reach", "accounts_engaged"],
                  "rates": {"engagement_rate": ["total_interactions", "reach"]}}'::jsonb
         end as derivation
  from day_to_date
)
insert into public.social_media_insights (user_id, platform, account_id, period, window_start, window_end, metrics, derived)
select s.user_id, s.platform, s.account_id, 'hour', s.window_start, s.window_start + interval '1 hour', s.metrics,
       private.social_media_insights_derived(s.metrics, previous.metrics, s.window_start, s.derivation)
from snapshots s
left join snapshots previous
  on previous.user_id = s.user_id and previous.platform = s.platform and previous.account_id = s.account_id
 and previous.window_start = s.window_start - interval '1 hour'
on conflict (user_id, platform, account_id, period, window_start) do nothing;

-- Daily rows for the last 30 UTC days (what the first sync backfills): a slow upward trend, the
-- account's weekly rhythm and a deterministic wobble.
with days as (
  select a.user_id, a.platform, a.account_id, d, p.views,
         date_trunc('day', now()) - make_interval(days => d) as day,
         (1 + 0.25 * (30 - d) / 30.0)
           * (case when extract(dow from date_trunc('day', now()) - make_interval(days => d))::int = any (p.busy_days)
                   then 1 + p.busy_boost else 1 end)
           * (0.9 + ((d * 13) % 7) / 30.0) as shape
  from public.social_media_accounts a
  join demo_profiles p using (account_id)
  cross join generate_series(1, 30) as d
)
insert into public.social_media_insights (user_id, platform, account_id, period, window_start, window_end, metrics, derived)
select user_id, platform, account_id, 'day', day, day + interval '1 day',
       case platform
         when 'facebook' then jsonb_build_object(
           'page_media_view', round(views * shape),
           'page_total_media_view_unique', round(views * shape * 0.55),
           'page_post_engagements', round(views * shape * 0.08),
           'page_views_total', round(views * shape * 0.03),
           'page_daily_follows_unique', round(3 + shape * 4),
           'page_daily_unfollows_unique', 1)
         else jsonb_build_object(
           'reach', round(views * shape * 0.55),
           'views', round(views * shape),
           'accounts_engaged', round(views * shape * 0.03),
           'total_interactions', round(views * shape * 0.08),
           'likes', round(views * shape * 0.06),
           'comments', round(views * shape * 0.01))
       end,
       '{}'::jsonb
from days
on conflict (user_id, platform, account_id, period, window_start) do nothing;

-- Maya's posts, reels and a live story, with their latest lifetime metrics and today's snapshot,
-- so the dashboard's Top posts panel has something to rank (post ids shaped like Meta's).
with demo_posts (platform, account_id, post_id, media_type, media_product_type, caption, age, metrics) as (
  values
    ('facebook', '104900000000101', '104900000000101_18000000000000001', null, 'POST',
     'Peonies are in: first bunches at 8.', interval '3 hours',
     '{"post_media_view": 812, "post_total_media_view_unique": 604, "post_clicks": 57, "post_reactions_by_type_total": 64, "post_reactions_by_type_total.like": 41, "post_reactions_by_type_total.love": 23}'),
    ('facebook', '104900000000101', '18000000000000002', 'VIDEO', 'REELS',
     'How we tie a hand bouquet, in 30 seconds.', interval '20 hours',
     '{"blue_reels_play_count": 3410, "post_video_avg_time_watched": 11800, "post_video_view_time": 402000, "post_video_social_actions": 133, "post_video_likes_by_reaction_type": 118}'),
    ('facebook', '104900000000101', '104900000000101_18000000000000003', null, 'POST',
     'Closed Monday: we are doing a wedding.', interval '50 hours',
     '{"post_media_view": 1290, "post_total_media_view_unique": 1011, "post_clicks": 18, "post_reactions_by_type_total": 96, "post_reactions_by_type_total.like": 70, "post_reactions_by_type_total.wow": 26}'),
    ('facebook', '104900000000101', '104900000000101_18000000000000004', null, 'POST',
     'Autumn wreaths are back in the shop.', interval '10 days',
     '{"post_media_view": 2674, "post_total_media_view_unique": 1980, "post_clicks": 211, "post_reactions_by_type_total": 188, "post_reactions_by_type_total.like": 120, "post_reactions_by_type_total.love": 68}'),
    ('instagram', '17841490000000101', '18000000000000006', 'IMAGE', 'FEED', 'Morning delivery', interval '5 hours',
     '{"views": 1460, "reach": 990, "likes": 171, "comments": 12, "shares": 9, "saved": 21, "total_interactions": 213}'),
    ('instagram', '17841490000000101', '18000000000000007', 'VIDEO', 'REELS', 'A bridal bouquet, sped up',
     interval '26 hours',
     '{"views": 6120, "reach": 4310, "likes": 402, "comments": 37, "shares": 51, "saved": 88, "total_interactions": 578, "ig_reels_avg_watch_time": 9400, "ig_reels_video_view_total_time": 38500000}'),
    ('instagram', '17841490000000101', '18000000000000008', 'CAROUSEL_ALBUM', 'FEED', 'Our autumn colours, swipe through',
     interval '3 days',
     '{"views": 2890, "reach": 2010, "likes": 260, "comments": 19, "shares": 14, "saved": 65, "total_interactions": 358}'),
    ('instagram', '17841490000000101', '18000000000000010', 'IMAGE', 'STORY', 'Today''s special: dahlias',
     interval '2 hours',
     '{"views": 540, "reach": 470, "replies": 6, "shares": 3, "total_interactions": 15}')
), saved as (
  insert into public.social_media_posts as p
    (social_media_account_id, user_id, platform, account_id, post_id, media_type, media_product_type, caption_excerpt,
     permalink, published_at, expires_at, metrics, metrics_fetched_at, next_refresh_at)
  select a.id, a.user_id, a.platform, d.account_id, d.post_id, d.media_type, d.media_product_type, d.caption,
         case when d.platform = 'facebook' then 'https://www.facebook.com/' || d.post_id
              else 'https://www.instagram.com/p/' || d.post_id || '/' end,
         now() - d.age, case when d.media_product_type = 'STORY' then now() - d.age + interval '24 hours' end,
         d.metrics::jsonb, date_trunc('hour', now()), null
  from demo_posts d
  join public.social_media_accounts a
    on a.user_id = 'user_demo_maya' and a.platform = d.platform::public.social_media_platform
   and a.account_id = d.account_id
  on conflict on constraint social_media_posts_account_post_key do nothing
  returning p.id, p.user_id, p.metrics
)
insert into public.social_media_post_insights (social_media_post_id, user_id, snapshot_date, metrics, fetched_at)
select s.id, s.user_id, (now() at time zone 'UTC')::date, s.metrics, date_trunc('hour', now()) from saved s
on conflict do nothing;
