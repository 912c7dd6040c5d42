// Dashboard -> Publishing: a draft post and how it will look on each account it goes to. "Post
// to" lists every connected Page and Instagram account, so a person with several picks which.
// A platform that is not connected gets only a pointer to Settings.

import { accountAvatar, h } from '../dom.js';
import { PLATFORMS, PLATFORM_LABELS, accountLabel, isConnected } from '../platforms.js';

export function mountPublishingPreview(container, store) {
  const draft = h('textarea', { id: 'post-text', rows: 3, placeholder: 'What would you like to share?' });
  const targets = h('fieldset', { class: 'targets' }, h('legend', {}, 'Post to'), h('p', { class: 'hint' }, 'Loading your accounts\u2026'));
  const previews = h('div', { class: 'previews' });
  // The accounts the person has switched off; every connected account is on by default.
  const excluded = new Set();

  container.append(
    h('label', { for: 'post-text' }, 'Post text'),
    draft,
    targets,
    h('h3', { id: 'preview-title' }, 'Preview'),
    h('section', { 'aria-labelledby': 'preview-title' }, previews));

  // The toggles are redrawn only when the accounts change, so a focused checkbox stays focused;
  // the previews follow every change.
  let shownTargets = null;
  function render(state) {
    if (!state.accountsLoaded) return;
    const key = state.accounts.map((account) => account.id).join();
    if (key !== shownTargets) {
      shownTargets = key;
      renderTargets(state);
    }
    renderPreviews();
  }

  function renderTargets(state) {
    targets.replaceChildren(
      h('legend', {}, 'Post to'),
      ...state.accounts.map(targetToggle),
      ...PLATFORMS.filter((platform) => !isConnected(state, platform)).map(notConnectedHint));
  }

  function renderPreviews() {
    const chosen = store.get().accounts.filter((account) => !excluded.has(account.id));
    previews.replaceChildren(...chosen.map((account) => postPreview(account, draft.value)));
    if (chosen.length === 0) previews.append(h('p', { class: 'hint' }, 'Nothing to preview: connect an account or pick one above.'));
  }

  function targetToggle(account) {
    const id = `post-to-${account.id}`;
    const toggle = h('input', { type: 'checkbox', id, checked: !excluded.has(account.id), onChange: (event) => {
      if (event.target.checked) excluded.delete(account.id);
      else excluded.add(account.id);
      renderPreviews();
    } });
    return h('div', { class: 'toggle', 'data-platform': account.platform }, toggle, h('label', { for: id }, accountLabel(account)));
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
  const name = account.account_name || account.username;
  return h('article', { class: `post-preview platform-${account.platform}`, 'data-platform': account.platform,
    'data-account-id': account.account_id, 'aria-label': `${label} preview: ${name}` },
  h('header', {},
    accountAvatar(account, 40),
    h('div', { class: 'account-text' },
      h('strong', { class: 'account-name' }, name),
      account.username && h('span', { class: 'username' }, `@${account.username}`)),
    h('span', { class: `platform-tag platform-${account.platform}` }, label)),
  h('p', { class: text ? 'post-text' : 'post-text placeholder' }, text || 'Your post text appears here.'));
}
