// Settings -> Connected accounts: a card per platform with one row per connected Page or
// Instagram account (avatar with a platform badge, a status dot with words, "synced 5 minutes
// ago"), a menu per account with Reconnect and Disconnect, and the page-level Sync now.
//
// Cards and rows are built once and updated in place (rows keyed by account), so keyboard focus
// stays where a person left it and the "shine" plays only when a platform becomes connected.

import { accountAvatar, h, platformLogo, refreshRelativeTimes, relativeTime } from '../dom.js';
import { PLATFORMS, PLATFORM_LABELS, accountLabel, accountStatus, needsGuidance, platformStatus } from '../platforms.js';

const BADGE_TEXT = {
  not_connected: 'Not connected',
  connecting: 'Connecting\u2026',
  connected: 'Connected',
  error: 'Did not connect',
};
const ANOTHER = { facebook: 'Add another Page', instagram: 'Add another account' };

export function mountChannelCards(container, store, actions) {
  const cards = PLATFORMS.map((platform) => buildCard(platform, actions));
  // Until the accounts are read, no status is shown: "Not connected" could be wrong.
  container.replaceChildren(h('p', { class: 'hint' }, 'Loading your accounts\u2026'));
  store.subscribe((state) => {
    if (!state.accountsLoaded) return;
    if (!container.contains(cards[0].element)) container.replaceChildren(...cards.map((card) => card.element));
    cards.forEach((card) => card.update(state));
  });
  // "synced 5 minutes ago" moves on while the page stays open.
  setInterval(() => refreshRelativeTimes(container), 30000);
}

// The page-level Sync now: busy while a sync runs, and a second press does nothing. It stays
// focusable while busy (aria-disabled rather than disabled), so focus is not lost.
export function mountSyncButton(container, store, actions) {
  const button = h('button', { type: 'button', class: 'button secondary', id: 'sync-now-button', onClick: () => actions.syncNow() }, 'Sync now');
  container.replaceChildren(button);
  store.subscribe((state) => {
    button.hidden = !state.accountsLoaded || state.accounts.length === 0;
    button.setAttribute('aria-disabled', String(state.syncing));
    button.setAttribute('aria-busy', String(state.syncing));
    button.textContent = state.syncing ? 'Syncing\u2026' : 'Sync now';
  });
}

function buildCard(platform, actions) {
  const label = PLATFORM_LABELS[platform];
  const titleId = `${platform}-title`;
  const title = h('h3', { id: titleId, tabindex: '-1' }, label);
  const badge = h('span', { class: 'badge' });
  const reason = h('p', { class: 'reason', hidden: true });
  const howToFix = h('button', { type: 'button', class: 'button secondary', onClick: () => actions.showGuidance(platform) },
    'How to fix this', h('span', { class: 'visually-hidden' }, ` (${label})`));
  const accountList = h('ul', { class: 'account-list', 'aria-label': `${label} accounts` });
  const connect = h('button', { type: 'button', class: 'button primary', onClick: () => actions.connect(platform) });
  const rows = new Map();

  const element = h('section', { class: `channel platform platform-${platform}`, 'aria-labelledby': titleId, 'data-platform': platform },
    h('header', { class: 'platform-header' }, h('span', { class: 'channel-title' }, platformLogo(platform, 28), title), badge),
    h('div', { class: 'reason-box' }, reason, howToFix),
    accountList,
    h('div', { class: 'actions' }, connect));

  // After a disconnect the row is gone: focus goes to the card's heading, not the page's body.
  const afterDisconnect = (done) => { if (done) title.focus(); };

  function update(state) {
    const status = platformStatus(state, platform);
    element.dataset.status = status.kind;
    element.classList.toggle('shine', status.kind === 'connected');
    badge.className = `badge badge-${status.kind}`;
    badge.textContent = BADGE_TEXT[status.kind];
    reason.hidden = !status.reason;
    reason.textContent = status.reason || '';
    howToFix.hidden = !(status.kind === 'error' && needsGuidance(platform, state.outcomes[platform]));

    const shown = new Set();
    for (const account of status.accounts) {
      shown.add(account.id);
      if (!rows.has(account.id)) rows.set(account.id, buildRow(account, actions, afterDisconnect));
      const row = rows.get(account.id);
      row.update(account, state);
      accountList.append(row.element);
    }
    for (const [id, row] of rows) {
      if (!shown.has(id)) {
        row.element.remove();
        rows.delete(id);
      }
    }
    accountList.hidden = status.accounts.length === 0;

    const connecting = status.kind === 'connecting';
    connect.disabled = connecting;
    connect.className = `button ${status.accounts.length ? 'quiet' : 'primary'}`;
    connect.replaceChildren(connecting ? 'Connecting\u2026'
      : status.accounts.length ? ANOTHER[platform] : 'Connect',
    h('span', { class: 'visually-hidden' }, ` ${label}`));
  }

  return { element, update };
}

function buildRow(account, actions, afterDisconnect) {
  const name = h('strong', { class: 'account-name' });
  const username = h('span', { class: 'username' });
  const dot = h('span', { class: 'dot', 'aria-hidden': 'true' });
  const words = h('span', { class: 'status-words' });
  const synced = h('span', { class: 'last-sync' });
  const error = h('span', { class: 'account-error' });
  const menuLabel = h('span', { class: 'visually-hidden' });
  const menu = h('details', { class: 'account-menu' },
    h('summary', { class: 'button quiet' }, 'Manage', menuLabel),
    h('div', { class: 'menu-items' },
      h('button', { type: 'button', class: 'menu-item', onClick: () => actions.connect(current.platform, current.connected_via) },
        'Reconnect'),
      h('button', { type: 'button', class: 'menu-item danger-text', onClick: async () => afterDisconnect(await actions.disconnect(current)) },
        'Disconnect')));
  // Escape closes the menu and returns to its button, as a menu does.
  menu.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && menu.open) {
      menu.open = false;
      menu.querySelector('summary').focus();
    }
  });
  let current = account;
  const avatarSlot = h('span', {});
  const element = h('li', { class: 'account' },
    avatarSlot,
    h('div', { class: 'account-text' }, name, username, h('span', { class: 'account-status' }, dot, words, synced), error),
    menu);

  function update(latest, state) {
    current = latest;
    element.dataset.accountId = latest.account_id;
    if (avatarSlot.dataset.src !== latest.profile_picture_url) {
      avatarSlot.dataset.src = latest.profile_picture_url || '';
      avatarSlot.replaceChildren(accountAvatar(latest, 48));
    }
    name.textContent = latest.account_name || latest.username;
    username.textContent = latest.username ? `@${latest.username}` : '';
    username.hidden = !latest.username;
    const status = accountStatus(latest, state);
    element.dataset.status = status.kind;
    dot.className = `dot dot-${status.kind}`;
    words.textContent = status.words;
    synced.replaceChildren(latest.last_synced_at ? ' \u00b7 synced ' : ' \u00b7 not synced yet',
      latest.last_synced_at ? relativeTime(latest.last_synced_at) : '');
    error.textContent = status.kind === 'error' && latest.last_error ? latest.last_error : '';
    error.hidden = !error.textContent;
    menuLabel.textContent = ` ${accountLabel(latest)}`;
  }

  return { element, update };
}
