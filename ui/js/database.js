// Everything the UI reads, straight from Supabase with supabase-js and the user's JWT. Row level
// security returns only the caller's rows; none of these tables or the RPC holds a token.

import { UNREACHABLE } from './api.js';

const ACCOUNT_COLUMNS = 'id, platform, account_id, account_name, username, profile_picture_url, status, last_error, last_synced_at, reconnect_by, connected_via';
const OUTCOME_COLUMNS = 'platform, connected, reason, message, missing_permissions, attempted_at';
// A run that died midway stays `running`; after this long it no longer counts as under way.
const RUN_STALE_AFTER_MS = 10 * 60 * 1000;

export function createDatabase(config, accessToken) {
  // `accessToken` is supabase-js's hook for third-party auth (Clerk, or the devstack sign-in):
  // every request carries the user's JWT instead of a Supabase Auth session.
  const client = window.supabase.createClient(config.supabaseUrl, config.supabaseAnonKey, {
    accessToken: async () => accessToken(),
  });

  async function read(what, query) {
    const { data, error } = await query;
    if (error) {
      // supabase-js reports a request that got no answer as a TypeError's message.
      const unreachable = /fetch/i.test(error.message || '') && !error.code;
      throw new Error(unreachable ? UNREACHABLE : `Could not read ${what}: ${error.message}`);
    }
    return data;
  }

  return {
    activeAccounts: () => read('your accounts', client
      .from('social_media_accounts')
      .select(ACCOUNT_COLUMNS)
      .eq('is_active', true)
      .order('platform')
      .order('account_name')),

    // -> {facebook: outcome|null, instagram: outcome|null}, in the connect API's shape.
    async connectOutcomes() {
      const rows = await read('your last connect', client.from('social_media_connect_outcomes').select(OUTCOME_COLUMNS));
      const outcomes = { facebook: null, instagram: null };
      for (const row of rows) {
        outcomes[row.platform] = { connected: row.connected, reason: row.reason, message: row.message,
          missingPermissions: row.missing_permissions || [], attemptedAt: row.attempted_at };
      }
      return outcomes;
    },

    // Whether a sync this user started (Sync now, or the first sync after a connect) is running.
    async syncUnderWay() {
      const since = new Date(Date.now() - RUN_STALE_AFTER_MS).toISOString();
      const runs = await read('your syncs', client.from('social_media_sync_runs').select('id')
        .is('finished_at', null).gte('started_at', since).limit(1));
      return runs.length > 0;
    },

    // The insights read RPC under RLS: {series, aggregates, ...} of one account.
    insights: ({ platform, accountId, period, hours, days }) => read('the insights', client.rpc('get_social_media_insights', {
      platform, period, account_id: accountId, ...(hours ? { hours } : {}), ...(days ? { days } : {}),
    })),
  };
}
