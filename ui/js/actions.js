// What the buttons do: each calls the webhook service, then re-reads the accounts from Supabase so
// the badges show what is really stored.

import { startConnect } from './connect-flow.js';
import { PLATFORMS, PLATFORM_LABELS, describeOutcome, isConnected, needsGuidance } from './platforms.js';

export function createActions({ store, api, readAccounts, notify, insights, guidance }) {
  async function refreshAccounts() {
    const accounts = await readAccounts();
    store.update(() => ({ accounts, accountsLoaded: true }));
  }

  async function guarded(work) {
    try {
      await work();
    } catch (error) {
      notify(error.message, 'error');
    }
  }

  return {
    refreshAccounts: () => guarded(refreshAccounts),

    connect: (platform) => startConnect(store, api, platform),

    disconnect: (platform) => guarded(async () => {
      await api.disconnect(platform);
      store.update((state) => ({ outcomes: { ...state.outcomes, [platform]: null } }));
      await refreshAccounts();
      notify(`${PLATFORM_LABELS[platform]} disconnected.`);
    }),

    syncNow: () => guarded(async () => {
      const result = await api.syncNow();
      await refreshAccounts();
      await insights.refresh();
      notify(syncSummary(result));
    }),

    // Back from Facebook Login with each platform's outcome. What the notice calls connected is
    // what was read back from the database, like the badges.
    showConnectOutcome: (outcome) => guarded(async () => {
      store.update(() => ({ outcomes: { facebook: outcome.facebook, instagram: outcome.instagram } }));
      await refreshAccounts();
      const connected = PLATFORMS.filter((platform) => isConnected(store.get(), platform));
      notify(PLATFORMS.map((platform) => outcomeSentence(platform, outcome[platform], connected.includes(platform))).join(' '),
        connected.length ? 'info' : 'error');
      if (needsGuidance(outcome.instagram)) guidance.open(outcome.instagram);
    }),

    showGuidance: () => guidance.open(store.get().outcomes.instagram),
  };
}

function outcomeSentence(platform, outcome, connected) {
  const label = PLATFORM_LABELS[platform];
  return connected ? `${label} connected.` : `${label} did not connect: ${describeOutcome(outcome)}`;
}

function syncSummary(result) {
  const count = (platform) => result.synced?.[platform] ?? 0;
  const failed = Object.values(result.failed || {}).reduce((total, value) => total + (Array.isArray(value) ? value.length : Number(value) || 0), 0);
  const summary = `Synced ${count('facebook')} Facebook and ${count('instagram')} Instagram account(s).`;
  return failed ? `${summary} ${failed} failed.` : summary;
}
