// Settings -> Connected accounts: one section per platform with its badge, accounts and buttons.
//
// Each section and its buttons are built once and updated in place, so keyboard focus stays on
// the button a person pressed and the "shine" animation plays only when a platform becomes
// connected, not on every redraw.

import { avatar, h, formatDateTime } from '../dom.js';
import { PLATFORMS, PLATFORM_LABELS, needsGuidance, platformStatus } from '../platforms.js';

const BADGE_TEXT = {
  not_connected: 'Not connected',
  connecting: 'Connecting...',
  connected: 'Connected',
  error: 'Error',
};

export function mountConnectedAccounts(container, store, actions) {
  const sections = PLATFORMS.map((platform) => buildSection(platform, actions));
  // Until the accounts are read, no badge is shown: "Not connected" could be wrong.
  container.replaceChildren(h('p', { class: 'hint' }, 'Loading your accounts...'));
  store.subscribe((state) => {
    if (!state.accountsLoaded) return;
    if (!container.contains(sections[0].element)) container.replaceChildren(...sections.map((section) => section.element));
    sections.forEach((section) => section.update(state));
  });
}

function buildSection(platform, actions) {
  const label = PLATFORM_LABELS[platform];
  const titleId = `${platform}-title`;
  const badge = h('span', { class: 'badge' });
  const reason = h('p', { class: 'reason', hidden: true });
  const accountList = h('ul', { class: 'account-list', 'aria-label': `${label} accounts` });
  const buttonFor = (text, onClick, style) =>
    h('button', { type: 'button', class: `button ${style}`, onClick }, text, h('span', { class: 'visually-hidden' }, ` ${label}`));
  const connect = buttonFor('Connect', () => actions.connect(platform), 'primary');
  const syncNow = buttonFor('Sync now', () => actions.syncNow(), 'secondary');
  const disconnect = buttonFor('Disconnect', () => actions.disconnect(platform), 'quiet');
  // Reopens the guidance after it was closed, while Instagram still has a reason it can explain.
  const howToFix = platform === 'instagram' && h('button', { type: 'button', class: 'button secondary', onClick: () => actions.showGuidance() },
    'How to fix this');

  const element = h('section', { class: `platform platform-${platform}`, 'aria-labelledby': titleId, 'data-platform': platform },
    h('header', { class: 'platform-header' }, h('h3', { id: titleId }, label), badge),
    reason,
    accountList,
    h('div', { class: 'actions' }, connect, howToFix, syncNow, disconnect));

  function update(state) {
    const status = platformStatus(state, platform);
    element.dataset.status = status.kind;
    element.classList.toggle('shine', status.kind === 'connected');
    badge.className = `badge badge-${status.kind}`;
    badge.textContent = BADGE_TEXT[status.kind];
    reason.hidden = !status.reason;
    reason.textContent = status.reason || '';
    accountList.replaceChildren(...status.accounts.map(accountItem));
    connect.hidden = status.kind === 'connected';
    connect.disabled = status.kind === 'connecting';
    syncNow.hidden = status.kind !== 'connected';
    disconnect.hidden = status.accounts.length === 0;
    if (howToFix) howToFix.hidden = !(status.kind === 'error' && needsGuidance(state.outcomes.instagram));
  }

  return { element, update };
}

function accountItem(account) {
  const lastSync = account.last_synced_at
    ? h('span', {}, 'Last synced ', h('time', { datetime: account.last_synced_at }, formatDateTime(account.last_synced_at)))
    : h('span', {}, 'Not synced yet');
  return h('li', { class: 'account', 'data-account-id': account.account_id },
    avatar(account.profile_picture_url, 48),
    h('div', { class: 'account-text' },
      h('strong', { class: 'account-name' }, account.account_name || account.username),
      account.username && h('span', { class: 'username' }, `@${account.username}`),
      h('span', { class: 'last-sync' }, lastSync)));
}
