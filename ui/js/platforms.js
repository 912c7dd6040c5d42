// What the UI knows about each platform and how it turns rows and connect outcomes into a status.

export const PLATFORMS = ['facebook', 'instagram'];

export const PLATFORM_LABELS = { facebook: 'Facebook', instagram: 'Instagram' };

// The permissions the Instagram connection depends on, as the guidance's checklist names them.
export const INSTAGRAM_PERMISSIONS = ['instagram_basic', 'pages_show_list', 'pages_read_engagement'];

// Reasons the connect API returns (and the OAuth return carries) for a platform that did not
// connect, in the words a person reads next to the red badge.
const REASON_TEXT = {
  no_pages: 'No Facebook Page was found for this Facebook login.',
  no_instagram_business_account: 'No Instagram business account is linked to your Facebook Page.',
  missing_permissions: 'Some permissions were not granted.',
  token_invalid: 'The Facebook sign-in has expired or was revoked. Connect again.',
  access_denied: 'The Facebook sign-in was cancelled.',
  code_exchange_failed: 'The Facebook sign-in could not be completed. Try again.',
  facebook_unavailable: 'Facebook did not answer. Try again in a moment.',
};

// Reasons the guidance modal can help with: the account exists, but is not linked or not shared.
const GUIDANCE_REASONS = ['no_instagram_business_account', 'missing_permissions', 'no_pages'];

// Whether an Instagram connect outcome (or null: none yet) calls for the guidance modal.
export function needsGuidance(outcome) {
  return Boolean(outcome) && !outcome.connected && GUIDANCE_REASONS.includes(outcome.reason);
}

export function describeOutcome(outcome) {
  const text = REASON_TEXT[outcome.reason] || outcome.message || 'The connection failed.';
  const missing = outcome.missingPermissions || [];
  return missing.length ? `${text} Missing: ${missing.join(', ')}.` : text;
}

// Status of one platform: 'connecting', 'error', 'connected' or 'not_connected', with the
// platform's active accounts and, for an error, why.
export function platformStatus(state, platform) {
  const accounts = state.accounts.filter((account) => account.platform === platform);
  if (state.pending[platform]) return { kind: 'connecting', accounts };
  const broken = accounts.find((account) => account.status !== 'connected');
  if (broken) {
    const reason = broken.status === 'needs_reauth'
      ? 'Facebook needs you to sign in again: press Connect.'
      : broken.last_error || 'The last sync failed.';
    return { kind: 'error', accounts, reason };
  }
  if (accounts.length) return { kind: 'connected', accounts };
  const outcome = state.outcomes[platform];
  if (outcome && !outcome.connected) return { kind: 'error', accounts, reason: describeOutcome(outcome) };
  return { kind: 'not_connected', accounts };
}

export function isConnected(state, platform) {
  return platformStatus(state, platform).kind === 'connected';
}
