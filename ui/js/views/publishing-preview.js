// Dashboard -> Publishing -> Preview: a draft post and how it will look on each connected
// platform, with the account's avatar and username. A platform that is not connected gets no
// posting control, only a pointer to Settings.

import { avatar, h } from '../dom.js';
import { PLATFORMS, PLATFORM_LABELS, isConnected } from '../platforms.js';

export function mountPublishingPreview(container, store) {
  const draft = h('textarea', { id: 'post-text', rows: 3, placeholder: 'What would you like to share?' });
  const targets = h('fieldset', { class: 'targets' });
  const previews = h('div', { class: 'previews' });
  // Which platforms the person has switched off; everything connected is on by default.
  const excluded = new Set();

  container.append(
    h('label', { for: 'post-text' }, 'Post text'),
    draft,
    targets,
    h('h3', { id: 'preview-title' }, 'Preview'),
    h('section', { 'aria-labelledby': 'preview-title' }, previews));

  // The toggles are redrawn only when the connected platforms change, so a focused checkbox
  // stays focused; the previews follow every change of the accounts.
  let shownTargets = null;
  function render(state) {
    if (!state.accountsLoaded) return;
    const connected = PLATFORMS.filter((platform) => isConnected(state, platform));
    if (connected.join() !== shownTargets) {
      shownTargets = connected.join();
      renderTargets(connected);
    }
    renderPreviews();
  }

  function renderTargets(connected) {
    targets.replaceChildren(
      h('legend', {}, 'Post to'),
      ...PLATFORMS.map((platform) => (connected.includes(platform) ? targetToggle(platform) : notConnectedHint(platform))));
  }

  function renderPreviews() {
    const state = store.get();
    const shown = PLATFORMS.filter((platform) => isConnected(state, platform) && !excluded.has(platform));
    previews.replaceChildren(...shown.flatMap((platform) =>
      state.accounts.filter((account) => account.platform === platform).map((account) => postPreview(account, draft.value))));
    if (shown.length === 0) previews.append(h('p', { class: 'hint' }, 'Nothing to preview: connect an account or pick a platform above.'));
  }

  function targetToggle(platform) {
    const id = `post-to-${platform}`;
    const toggle = h('input', { type: 'checkbox', id, checked: !excluded.has(platform), onChange: (event) => {
      if (event.target.checked) excluded.delete(platform);
      else excluded.add(platform);
      renderPreviews();
    } });
    return h('div', { class: 'toggle', 'data-platform': platform }, toggle, h('label', { for: id }, PLATFORM_LABELS[platform]));
  }

  draft.addEventListener('input', renderPreviews);
  store.subscribe(render);
}

function notConnectedHint(platform) {
  const label = PLATFORM_LABELS[platform];
  return h('p', { class: 'hint', 'data-not-connected': platform },
    `${label} is not connected. `, h('a', { href: '#/settings' }, `Connect ${label} in Settings`), '.');
}

function postPreview(account, text) {
  const label = PLATFORM_LABELS[account.platform];
  return h('article', { class: `post-preview platform-${account.platform}`, 'data-platform': account.platform, 'aria-label': `${label} preview` },
    h('header', {},
      avatar(account.profile_picture_url, 40),
      h('div', { class: 'account-text' },
        h('strong', { class: 'account-name' }, account.account_name || account.username),
        h('span', { class: 'username' }, `@${account.username}`)),
      h('span', { class: `platform-tag platform-${account.platform}` }, label)),
    h('p', { class: text ? 'post-text' : 'post-text placeholder' }, text || 'Your post text appears here.'));
}
