// Top posts: per connected platform, the account's posts of the last 90 days with the most views,
// from the posts read API (`GET /posts`, sorted by the platform's views metric): thumbnail,
// caption, date, views, interactions and a link to the post on Facebook or Instagram.

import { h, formatNumber } from '../dom.js';
import { PLATFORMS, PLATFORM_LABELS, isConnected } from '../platforms.js';

const SHOWN = 5;
const DAYS = 90;
// Meta's metric names per platform and media product type (see the service's metric catalog).
const VIEWS = { facebook: { POST: 'post_media_view', REELS: 'blue_reels_play_count' }, instagram: 'views' };
const INTERACTIONS = {
  facebook: { POST: 'post_reactions_by_type_total', REELS: 'post_video_social_actions' },
  instagram: 'total_interactions',
};
const SORT_BY = { facebook: 'post_media_view', instagram: 'views' };
const TYPE_LABELS = { POST: 'Post', FEED: 'Post', REELS: 'Reel', STORY: 'Story' };

export function mountTopPosts(container, store, api) {
  let latestRefresh = 0;

  async function refresh() {
    const state = store.get();
    if (!state.accountsLoaded) return;
    const refreshId = ++latestRefresh;
    const since = new Date(Date.now() - DAYS * 86400 * 1000).toISOString();
    const panels = await Promise.all(PLATFORMS.filter((platform) => isConnected(state, platform)).map(async (platform) => {
      const account = state.accounts.find((row) => row.platform === platform);
      try {
        const page = await api.topPosts(account.account_id, { sort: SORT_BY[platform], since, pageSize: SHOWN });
        return platformPosts(platform, page.posts);
      } catch (error) {
        return platformShell(platform, h('p', { class: 'hint' }, `Posts could not be loaded: ${error.message}`));
      }
    }));
    if (refreshId !== latestRefresh) return;
    container.replaceChildren(...(panels.length ? panels : [h('p', { class: 'hint' }, 'Connect an account to see its top posts.')]));
    container.dataset.loaded = 'true';
  }

  // Posts change with the connected accounts, and after a sync (the account's last_synced_at).
  let shown = null;
  store.subscribe((state) => {
    const key = state.accountsLoaded
      ? state.accounts.filter((row) => isConnected(state, row.platform)).map((row) => `${row.account_id}@${row.last_synced_at}`).join()
      : null;
    if (key !== shown) {
      shown = key;
      refresh();
    }
  });
  return { refresh };
}

function platformShell(platform, ...content) {
  const titleId = `top-posts-${platform}-title`;
  return h('article', { class: `card top-posts platform-${platform}`, 'data-platform': platform, 'aria-labelledby': titleId },
    h('h3', { id: titleId }, PLATFORM_LABELS[platform]), ...content);
}

function platformPosts(platform, posts) {
  if (posts.length === 0) return platformShell(platform, h('p', { class: 'no-data' }, 'No posts yet'));
  return platformShell(platform, h('ol', { class: 'post-list' }, ...posts.map((post) => postItem(platform, post))));
}

// Meta's media URLs are signed and expire: a missing or broken one leaves a plain tile.
function thumbnail(url) {
  const tile = h('span', { class: 'post-thumbnail', 'aria-hidden': 'true' });
  if (url) {
    tile.append(h('img', { src: url, alt: '', width: 64, height: 64, loading: 'lazy',
      onError: (event) => event.target.remove() }));
  }
  return tile;
}

function metricOf(table, platform, post) {
  const name = typeof table[platform] === 'string' ? table[platform] : table[platform][post.media_product_type];
  return post.metrics[name];
}

function postItem(platform, post) {
  const views = metricOf(VIEWS, platform, post);
  const interactions = metricOf(INTERACTIONS, platform, post);
  const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(post.published_at));
  const figure = (value, label, key) => h('span', { class: 'post-figure', 'data-metric': key },
    h('strong', {}, value === undefined ? '\u2013' : formatNumber(value)), ` ${label}`);
  return h('li', { class: 'post', 'data-post-id': post.post_id },
    thumbnail(post.thumbnail_url || post.media_url),
    h('div', { class: 'post-body' },
      h('p', { class: 'post-caption' }, post.caption_excerpt || h('em', {}, 'No caption')),
      h('p', { class: 'post-meta' },
        h('time', { datetime: post.published_at }, date), ` \u00b7 ${TYPE_LABELS[post.media_product_type] || ''}`),
      h('p', { class: 'post-figures' }, figure(views, 'views', 'views'), figure(interactions, 'interactions', 'interactions')),
      post.permalink && h('a', { href: post.permalink, target: '_blank', rel: 'noopener noreferrer' },
        `View on ${PLATFORM_LABELS[platform]}`)));
}
