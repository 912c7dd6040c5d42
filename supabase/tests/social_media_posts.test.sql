-- Migration 20261130040607: posts and their daily snapshots under RLS, the save RPC (listed posts
-- upserted, values merged, a read without values only moves the schedule), the due list, and the
-- posts read RPC (range, sort by any metric, pages, bad parameters, only the caller's rows). That
-- the ranking is an index-only scan under RLS is shown by `make bench` (bench/posts.py).
begin;
create extension if not exists pgtap with schema extensions;
set search_path = public, extensions;
select plan(23);

insert into social_media_accounts (id, user_id, platform, account_id, account_name)
values ('99999999-0000-0000-0000-00000000000a', 'user_posts_a', 'instagram', 'ig-posts-a', 'IG A'),
       ('99999999-0000-0000-0000-00000000000b', 'user_posts_b', 'instagram', 'ig-posts-b', 'IG B');

-- Schema -------------------------------------------------------------------------------------------
select ok((select relrowsecurity from pg_class where oid = 'public.social_media_posts'::regclass), 'RLS on posts');
select ok((select relrowsecurity from pg_class where oid = 'public.social_media_post_insights'::regclass),
  'RLS on post snapshots');
select has_index('public', 'social_media_posts', 'social_media_posts_user_account_published_idx',
  array['user_id', 'account_id', 'published_at', 'id', 'metrics'],
  'the ranking index: no platform enum (not leakproof under RLS), id and metrics included for index-only scans');
-- service_role bypasses RLS: the users' policies are the only ones (20261130044114_schema_cleanup).
select policies_are('public', 'social_media_posts', array['Users can view their own social media posts']);
select policies_are('public', 'social_media_post_insights', array['Users can view their own social media post insights']);

-- Save: list, read, read again ---------------------------------------------------------------------
set local role service_role;
select is(public.save_social_media_posts(
  jsonb_build_array(
    jsonb_build_object('social_media_account_id', '99999999-0000-0000-0000-00000000000a', 'post_id', 'm1',
                       'media_type', 'IMAGE', 'media_product_type', 'FEED', 'caption_excerpt', 'One',
                       'thumbnail_url', 'https://cdn/1.jpg', 'published_at', now() - interval '3 days'),
    jsonb_build_object('social_media_account_id', '99999999-0000-0000-0000-00000000000a', 'post_id', 'm2',
                       'media_type', 'VIDEO', 'media_product_type', 'REELS', 'caption_excerpt', 'Two',
                       'published_at', now() - interval '2 days'),
    jsonb_build_object('social_media_account_id', '99999999-0000-0000-0000-00000000000a', 'post_id', 'm3',
                       'media_type', 'IMAGE', 'media_product_type', 'FEED', 'published_at', now() - interval '40 days'),
    jsonb_build_object('social_media_account_id', '99999999-0000-0000-0000-00000000000b', 'post_id', 'm9',
                       'media_type', 'IMAGE', 'media_product_type', 'FEED', 'published_at', now() - interval '1 day')),
  '[]'::jsonb), '{"posts": 4, "insights": 0}'::jsonb, 'listed posts are stored');
select is((select array_agg(post_id order by post_id) from public.social_media_posts
           where user_id = 'user_posts_a'), array['m1', 'm2', 'm3'], 'the owner is taken from the account');
select is(jsonb_array_length(public.due_social_media_posts(
  array['99999999-0000-0000-0000-00000000000a'::uuid], now() + interval '1 second')), 3, 'new posts are due at once');

select is(public.save_social_media_posts('[]'::jsonb, jsonb_build_array(
  jsonb_build_object('social_media_account_id', '99999999-0000-0000-0000-00000000000a', 'post_id', 'm1',
                     'metrics', '{"views": 50, "reach": 40}'::jsonb, 'fetched_at', now(),
                     'next_refresh_at', now() + interval '1 day'),
  jsonb_build_object('social_media_account_id', '99999999-0000-0000-0000-00000000000a', 'post_id', 'm2',
                     'metrics', '{"views": 900}'::jsonb, 'fetched_at', now(), 'next_refresh_at', now() + interval '1 hour'),
  jsonb_build_object('social_media_account_id', '99999999-0000-0000-0000-00000000000a', 'post_id', 'm3',
                     'metrics', '{"views": 10}'::jsonb, 'fetched_at', now(), 'next_refresh_at', null),
  jsonb_build_object('social_media_account_id', '99999999-0000-0000-0000-00000000000b', 'post_id', 'm9',
                     'metrics', '{"views": 5000}'::jsonb, 'fetched_at', now(), 'next_refresh_at', null))),
  '{"posts": 0, "insights": 4}'::jsonb, 'values are stored with a snapshot per post');
-- A later read without `reach` (Meta had none), then one Meta refused (no values at all).
select public.save_social_media_posts(
  jsonb_build_array(jsonb_build_object('social_media_account_id', '99999999-0000-0000-0000-00000000000a',
                                       'post_id', 'm1', 'media_type', 'IMAGE', 'media_product_type', 'FEED',
                                       'published_at', now() - interval '3 days')),
  jsonb_build_array(jsonb_build_object('social_media_account_id', '99999999-0000-0000-0000-00000000000a',
                                       'post_id', 'm1', 'metrics', '{"views": 60}'::jsonb, 'fetched_at', now(),
                                       'next_refresh_at', now() + interval '1 day')));
select public.save_social_media_posts('[]'::jsonb, jsonb_build_array(
  jsonb_build_object('social_media_account_id', '99999999-0000-0000-0000-00000000000a', 'post_id', 'm2',
                     'metrics', '{}'::jsonb, 'fetched_at', now() + interval '1 hour', 'next_refresh_at', null)));
select is((select metrics from public.social_media_posts where post_id = 'm1'), '{"views": 60, "reach": 40}'::jsonb,
  'values merge: a metric missing from a later answer keeps its value');
select is((select thumbnail_url from public.social_media_posts where post_id = 'm1'), 'https://cdn/1.jpg',
  'a listing without a thumbnail keeps the stored one');
select is((select count(*)::integer from public.social_media_post_insights s
           join public.social_media_posts p on p.id = s.social_media_post_id where p.post_id = 'm1'), 1,
  'one snapshot row per post and day');
select is((select (metrics_fetched_at, next_refresh_at is null) from public.social_media_posts where post_id = 'm2'),
  (now(), true), 'a read without values moves only the schedule');
select is(jsonb_array_length(public.due_social_media_posts(
  array['99999999-0000-0000-0000-00000000000a'::uuid], now() + interval '2 hours')), 0,
  'nothing is due before its next refresh, and never when it has none');
reset role;

-- The read RPC as user A --------------------------------------------------------------------------
set local role authenticated;
select set_config('request.jwt.claims', '{"role": "authenticated", "sub": "user_posts_a"}', true);
select is((select jsonb_path_query_array(public.get_social_media_posts('ig-posts-a', sort => 'views') -> 'posts',
                                         '$[*].post_id')), '["m2", "m1"]'::jsonb,
  'the last 30 days by default, ranked by a metric');
select is((select jsonb_path_query_array(public.get_social_media_posts('ig-posts-a', now() - interval '60 days',
                                         sort => 'views', direction => 'asc') -> 'posts', '$[*].post_id')),
  '["m3", "m1", "m2"]'::jsonb, 'a wider range, ascending');
select is((select jsonb_path_query_array(public.get_social_media_posts('ig-posts-a', sort => 'reach') -> 'posts',
                                         '$[*].post_id')), '["m1", "m2"]'::jsonb,
  'posts without the sorted metric come last');
select is((select (r ->> 'total', jsonb_path_query_array(r -> 'posts', '$[*].post_id'))
           from public.get_social_media_posts('ig-posts-a', now() - interval '60 days', sort => 'views',
                                              page_size => 2, page => 2) r),
  ('3'::text, '["m3"]'::jsonb), 'paged, with the total over all pages');
select is((public.get_social_media_posts('ig-posts-b') ->> 'total')::integer, 0, 'user B''s posts stay invisible');
select is((select count(*)::integer from public.social_media_post_insights), 3, 'only the caller''s snapshots');
select throws_ok($$select public.get_social_media_posts('ig-posts-a', sort => 'views; drop')$$, '22023',
  'sort must be published_at or a metric name', 'a bad sort is refused');
select throws_ok($$select public.get_social_media_posts('ig-posts-a', now(), now() - interval '1 day')$$, '22023',
  'since must be earlier than until', 'an empty range is refused');
select throws_ok($$select public.get_social_media_posts('ig-posts-a', page_size => 101)$$, '22023',
  'page_size must be between 1 and 100', 'a page larger than 100 is refused');
reset role;

select * from finish();
rollback;
