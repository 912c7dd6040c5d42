-- Demo data so a fresh `make run` shows something: two users (Clerk-style ids), each with a
-- Facebook Page and its linked Instagram account, and three days of hourly and daily insights.
-- No tokens: the demo accounts are never synced until their owner connects for real.
-- Idempotent: `supabase db push --include-seed` re-runs it when this file changes.

insert into public.social_media_accounts
  (user_id, platform, account_id, account_name, username, profile_picture_url, is_test_account, permissions, meta_user_id, last_synced_at)
values
  ('user_demo_alice', 'facebook', '104000000000001', 'Alice''s Bakery', 'alicesbakery',
   'https://picsum.photos/seed/alice-page/100', true,
   '{"granted": ["pages_show_list", "pages_read_engagement", "instagram_basic", "instagram_manage_insights", "read_insights", "business_management"], "declined": []}',
   '122000000000001', date_trunc('hour', now())),
  ('user_demo_alice', 'instagram', '17841400000000001', 'Alice''s Bakery', 'alices.bakery',
   'https://picsum.photos/seed/alice-ig/100', true,
   '{"granted": ["pages_show_list", "pages_read_engagement", "instagram_basic", "instagram_manage_insights", "read_insights", "business_management"], "declined": []}',
   '122000000000001', date_trunc('hour', now())),
  ('user_demo_bob', 'facebook', '104000000000002', 'Bob''s Bikes', 'bobsbikes',
   'https://picsum.photos/seed/bob-page/100', true,
   '{"granted": ["pages_show_list", "pages_read_engagement", "instagram_basic", "instagram_manage_insights", "read_insights", "business_management"], "declined": []}',
   '122000000000002', date_trunc('hour', now())),
  ('user_demo_bob', 'instagram', '17841400000000901', 'Bob''s Bikes', 'bobs.bikes',
   'https://picsum.photos/seed/bob-ig/100', true,
   '{"granted": ["pages_show_list", "pages_read_engagement", "instagram_basic", "instagram_manage_insights", "read_insights", "business_management"], "declined": []}',
   '122000000000002', date_trunc('hour', now()))
on conflict (user_id, platform, account_id) do nothing;

-- Hourly rows for the last 72 hours, shaped like the sync's: `metrics` holds the account's
-- counters and Meta's day-to-date figures (Meta's day ends at midnight in California), and
-- `derived` is computed by the same function the sync uses, from the previous hour's row.
-- Activity per hour is deterministic in the hour's index, so the UI and the tests agree on it.
with hours as (
  select a.user_id, a.platform, a.account_id, h,
         date_trunc('hour', now()) - make_interval(hours => h) as window_start
  from public.social_media_accounts a
  cross join generate_series(1, 72) as h
  where a.user_id in ('user_demo_alice', 'user_demo_bob')
), day_to_date as (
  select hours.*,
         sum(40 + (h * 7) % 25) over meta_day as views,
         sum(20 + (h * 5) % 15) over meta_day as viewers,
         sum(5 + (h * 3) % 7) over meta_day as engagements,
         sum(3 + h % 4) over meta_day as visits
  from hours
  window meta_day as (partition by user_id, platform, account_id,
                      (window_start at time zone 'America/Los_Angeles')::date order by window_start)
), snapshots as (
  select user_id, platform, account_id, window_start,
         case platform
           when 'facebook' then jsonb_build_object(
             'followers_count', 1200 + (72 - h) * 2,
             'fan_count', 1100 + (72 - h),
             'page_media_view', views,
             'page_total_media_view_unique', viewers,
             'page_post_engagements', engagements,
             'page_views_total', visits)
           else jsonb_build_object(
             'followers_count', 800 + (72 - h) * 3,
             'media_count', 120,
             'reach', viewers,
             'views', views,
             'accounts_engaged', visits,
             'total_interactions', engagements)
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

-- Daily rows for the last 3 UTC days.
insert into public.social_media_insights (user_id, platform, account_id, period, window_start, window_end, metrics, derived)
select a.user_id, a.platform, a.account_id, 'day',
       date_trunc('day', now()) - make_interval(days => d),
       date_trunc('day', now()) - make_interval(days => d - 1),
       case a.platform
         when 'facebook' then jsonb_build_object(
           'page_media_view', 900 + d * 37,
           'page_total_media_view_unique', 400 + d * 11,
           'page_post_engagements', 120 + d * 5,
           'page_views_total', 70 + d * 3,
           'page_daily_follows_unique', 12 + d,
           'page_daily_unfollows_unique', 2)
         else jsonb_build_object(
           'reach', 700 + d * 29,
           'views', 1500 + d * 41,
           'accounts_engaged', 95 + d * 4,
           'total_interactions', 160 + d * 6,
           'likes', 120 + d * 5,
           'comments', 18 + d)
       end,
       '{}'::jsonb
from public.social_media_accounts a
cross join generate_series(1, 3) as d
where a.user_id in ('user_demo_alice', 'user_demo_bob')
on conflict (user_id, platform, account_id, period, window_start) do nothing;

-- Alice's posts, reels and a live story, with their latest lifetime metrics and today's snapshot,
-- so the dashboard's Top posts panel has something to rank (ids as the fake Graph API's demo).
with demo_posts (platform, account_id, post_id, media_type, media_product_type, caption, age, metrics) as (
  values
    ('facebook', '104000000000001', '104000000000001_18000000000000001', null, 'POST',
     'Fresh sourdough out of the oven at 7.', interval '3 hours',
     '{"post_media_view": 812, "post_total_media_view_unique": 604, "post_clicks": 57, "post_reactions_by_type_total": 64, "post_reactions_by_type_total.like": 41, "post_reactions_by_type_total.love": 23}'),
    ('facebook', '104000000000001', '18000000000000002', 'VIDEO', 'REELS',
     'How we shape a croissant, in 30 seconds.', interval '20 hours',
     '{"blue_reels_play_count": 3410, "post_video_avg_time_watched": 11800, "post_video_view_time": 402000, "post_video_social_actions": 133, "post_video_likes_by_reaction_type": 118}'),
    ('facebook', '104000000000001', '104000000000001_18000000000000003', null, 'POST',
     'Closed Monday for a family wedding.', interval '50 hours',
     '{"post_media_view": 1290, "post_total_media_view_unique": 1011, "post_clicks": 18, "post_reactions_by_type_total": 96, "post_reactions_by_type_total.like": 70, "post_reactions_by_type_total.wow": 26}'),
    ('facebook', '104000000000001', '104000000000001_18000000000000004', null, 'POST',
     'Pumpkin season: our spiced loaf is back.', interval '10 days',
     '{"post_media_view": 2674, "post_total_media_view_unique": 1980, "post_clicks": 211, "post_reactions_by_type_total": 188, "post_reactions_by_type_total.like": 120, "post_reactions_by_type_total.love": 68}'),
    ('instagram', '17841400000000001', '18000000000000006', 'IMAGE', 'FEED', 'Morning bake', interval '5 hours',
     '{"views": 1460, "reach": 990, "likes": 171, "comments": 12, "shares": 9, "saved": 21, "total_interactions": 213}'),
    ('instagram', '17841400000000001', '18000000000000007', 'VIDEO', 'REELS', 'Croissant lamination, sped up',
     interval '26 hours',
     '{"views": 6120, "reach": 4310, "likes": 402, "comments": 37, "shares": 51, "saved": 88, "total_interactions": 578, "ig_reels_avg_watch_time": 9400, "ig_reels_video_view_total_time": 38500000}'),
    ('instagram', '17841400000000001', '18000000000000008', 'CAROUSEL_ALBUM', 'FEED', 'Our autumn menu, swipe through',
     interval '3 days',
     '{"views": 2890, "reach": 2010, "likes": 260, "comments": 19, "shares": 14, "saved": 65, "total_interactions": 358}'),
    ('instagram', '17841400000000001', '18000000000000010', 'IMAGE', 'STORY', 'Today''s special: cardamom buns',
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
    on a.user_id = 'user_demo_alice' and a.platform = d.platform::public.social_media_platform
   and a.account_id = d.account_id
  on conflict on constraint social_media_posts_account_post_key do nothing
  returning p.id, p.user_id, p.metrics
)
insert into public.social_media_post_insights (social_media_post_id, user_id, snapshot_date, metrics, fetched_at)
select s.id, s.user_id, (now() at time zone 'UTC')::date, s.metrics, date_trunc('hour', now()) from saved s
on conflict do nothing;
