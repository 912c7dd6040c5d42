// What the buttons do: each calls the webhook service, then re-reads the accounts (and the stored
// connect outcomes) from Supabase, so what the UI shows is what is really stored.

import { startConnect } from './connect-flow.js';
import { PLATFORMS, PLATFORM_LABELS, accountLabel, describeOutcome, isConnected, needsGuidance } from './platforms.js';

// How often the UI looks again while a sync it did not start itself (the first sync after a
// connect) is running.
const SYNC_POLL_MS = 1000;

export function createActions({ store, api, database, notify, guidance, confirm }) {
  let following = false;

  async function refresh() {
    const [accounts, outcomes] = await Promise.all([database.activeAccounts(), database.connectOutcomes()]);
    store.update((state) => ({ accounts, outcomes, accountsLoaded: true, dataVersion: state.dataVersion + 1 }));
  }

  async function guarded(work) {
    try {
      return await work();
    } catch (error) {
      notify(error.message, 'error');
      return false;
    }
  }

  // Shows "Syncing..." while a run of this user is under way, then the fresh numbers. Back from a
  // connect (`expectingRun`), the first sync may already be over when the UI looks: it reads again.
  async function followSync({ expectingRun = false } = {}) {
    if (following) return;
    following = true;
    try {
      while (await database.syncUnderWay()) {
        if (!store.get().syncing) store.update(() => ({ syncing: true }));
        await new Promise((resolve) => { setTimeout(resolve, SYNC_POLL_MS); });
      }
    } finally {
      following = false;
    }
    if (store.get().syncing || expectingRun) {
      store.update(() => ({ syncing: false }));
      await refresh();
    }
  }

  return {
    load: () => guarded(async () => {
      await refresh();
      await followSync();
    }),

    // `login`: 'facebook_login', or 'instagram_login' for an Instagram account without a Page.
    connect: (platform, login) => startConnect(store, api, platform, login),

    // Asks first; resolves true once the account is disconnected.
    disconnect: (account) => guarded(async () => {
      const label = account.account_name || account.username;
      const confirmed = await confirm({
        title: `Disconnect ${label}?`,
        text: `${label} on ${PLATFORM_LABELS[account.platform]} stops syncing and its token is erased. `
          + 'The insights already collected stay, and you can connect it again at any time.',
        action: 'Disconnect',
      });
      if (!confirmed) return false;
      await api.disconnect(account.platform, account.account_id);
      await refresh();
      notify(`${accountLabel(account)} disconnected.`);
      return true;
    }),

    // One sync at a time: pressing again while one runs does nothing.
    syncNow: () => guarded(async () => {
      if (store.get().syncing) return;
      store.update(() => ({ syncing: true }));
      try {
        const result = await api.syncNow();
        await refresh();
        const { text, failed } = syncSummary(result, store.get().accounts);
        notify(text, failed ? 'error' : 'success');
      } finally {
        store.update(() => ({ syncing: false }));
      }
    }),

    // Back from Facebook Login. What the notice calls connected is what was read back from the
    // database, like the cards; the reasons are the ones the service stored.
    showConnectOutcome: (returned) => guarded(async () => {
      await refresh();
      store.update((state) => ({
        outcomes: Object.fromEntries(PLATFORMS.map((platform) => [platform, state.outcomes[platform] ?? returned[platform]])),
      }));
      const state = store.get();
      // The platforms this return is about (Instagram Login: Instagram only).
      const tried = PLATFORMS.filter((platform) => returned[platform]);
      const connected = tried.filter((platform) => isConnected(state, platform));
      const sentences = tried.map((platform) => (connected.includes(platform)
        ? `${PLATFORM_LABELS[platform]} connected.`
        : `${PLATFORM_LABELS[platform]} did not connect: ${describeOutcome(state.outcomes[platform] ?? returned[platform])}`));
      notify(sentences.join(' '), connected.length === tried.length ? 'success' : connected.length ? 'warning' : 'error');
      const explained = tried.find((platform) => !connected.includes(platform) && needsGuidance(platform, state.outcomes[platform]));
      if (explained) guidance.open(explained, state.outcomes[explained]);
      await followSync({ expectingRun: connected.length > 0 });
    }),

    showGuidance: (platform) => guidance.open(platform, store.get().outcomes[platform]),
  };
}

// -> {text, failed}: how many accounts synced, and which did not and why, by name.
function syncSummary(result, accounts) {
  const errors = result.errors || [];
  const synced = Object.values(result.synced || {}).reduce((total, count) => total + Number(count || 0), 0);
  const plural = (count) => `${count} ${count === 1 ? 'account' : 'accounts'}`;
  if (!errors.length && result.status !== 'failed') return { text: `Synced ${plural(synced)}.`, failed: false };
  const problems = errors.map((error) => {
    const account = accounts.find((row) => row.platform === error.platform && row.account_id === error.account_id);
    const name = account ? accountLabel(account) : `${PLATFORM_LABELS[error.platform]} account ${error.account_id}`;
    return error.status === 'needs_reauth' ? `${name} needs reconnecting` : `${name}: ${error.error || error.status}`;
  });
  const text = problems.length
    ? `${plural(errors.length)} did not sync: ${problems.join('; ')}. ${synced ? `${plural(synced)} synced.` : ''}`
    : `The sync failed: ${result.error || 'try again in a moment'}.`;
  return { text: text.trim(), failed: true };
}
