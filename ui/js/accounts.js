// Reads the user's connected accounts straight from Supabase with supabase-js. Row level security
// returns only the rows whose user_id is the JWT's `sub`; the table has no token columns.

const ACCOUNT_COLUMNS = 'id, platform, account_id, account_name, username, profile_picture_url, status, last_error, last_synced_at';

export function createAccountsReader(config, accessToken) {
  // `accessToken` is supabase-js's hook for third-party auth (Clerk, or the devstack sign-in):
  // every request carries the user's JWT instead of a Supabase Auth session.
  const client = window.supabase.createClient(config.supabaseUrl, config.supabaseAnonKey, {
    accessToken: async () => accessToken(),
  });

  return async function activeAccounts() {
    const { data, error } = await client
      .from('social_media_accounts')
      .select(ACCOUNT_COLUMNS)
      .eq('is_active', true)
      .order('platform')
      .order('account_name');
    if (error) throw new Error(`Could not read your accounts: ${error.message}`);
    return data;
  };
}
