// What the UI knows about each platform, and how stored rows and connect outcomes become the
// status a person reads (always in words; the coloured dot only repeats them).

import { formatDate } from './dom.js';

export const PLATFORMS = ['facebook', 'instagram'];

export const PLATFORM_LABELS = { facebook: 'Facebook', instagram: 'Instagram' };

// What each platform's connection needs, as the guidance's checklist names them (the service's
// REQUIRED_PERMISSIONS, plus reading the Page that an Instagram account is linked through).
export const REQUIRED_PERMISSIONS = {
  facebook: ['pages_show_list', 'pages_read_engagement', 'read_insights'],
  instagram: ['instagram_basic', 'pages_show_list', 'pages_read_engagement', 'instagram_manage_insights'],
};

// Why each permission matters, in a few words: what a person reads next to Meta's name for it.
export const PERMISSION_PURPOSE = {
  instagram_basic: 'read your Instagram profile',
  pages_show_list: 'see the Pages you manage',
  pages_read_engagement: 'read your Page and the accounts linked to it',
  instagram_manage_insights: 'read Instagram insights',
  read_insights: 'read Page insights',
  business_management: 'reach Pages owned by a business portfolio',
};

export function describePermission(name) {
  return PERMISSION_PURPOSE[name] ? `${PERMISSION_PURPOSE[name]} (${name})` : name;
}

// Reasons the service stores (and the OAuth return carries) for a platform that did not connect,
// in the words a person reads next to the red status.
const REASON_TEXT = {
  no_pages: 'No Facebook Page was found for this Facebook login.',
  no_instagram_business_account: 'No Instagram business account is linked to your Facebook Page.',
  missing_permissions: 'Some permissions were not granted.',
  token_invalid: 'The Facebook sign-in has expired or was revoked. Connect again.',
  access_denied: 'The Facebook sign-in was cancelled.',
  code_exchange_failed: 'The Facebook sign-in could not be completed. Try again.',
  facebook_unavailable: 'Facebook did not answer. Try again in a moment.',
  not_professional_account: 'This Instagram account is personal: switch it to a professional (business or creator) account in the Instagram app, then connect again.',
};

// Reasons the guidance modal can help with: something to change on Facebook or Instagram.
const GUIDANCE_REASONS = {
  facebook: ['missing_permissions', 'no_pages'],
  instagram: ['no_instagram_business_account', 'missing_permissions', 'no_pages'],
};

// Whether a platform's connect outcome (or null: none yet) calls for the guidance modal.
export function needsGuidance(platform, outcome) {
  return Boolean(outcome) && !outcome.connected && GUIDANCE_REASONS[platform].includes(outcome.reason);
}

export function describeOutcome(outcome) {
  const text = REASON_TEXT[outcome.reason] || outcome.message || 'The connection failed.';
  const missing = outcome.missingPermissions || [];
  return missing.length ? `${text} Not granted: ${missing.map(describePermission).join(', ')}.` : text;
}

// One account's status: `kind` for the dot's colour, `words` for what it says. `expiring`: the
// service's health check saw the login (or Meta's data access) end soon, at `reconnect_by`.
export function accountStatus(account, state) {
  if (account.status === 'needs_reauth') return { kind: 'error', words: 'Needs reconnecting' };
  if (state.syncing) return { kind: 'busy', words: 'Syncing\u2026' };
  if (account.status === 'error') return { kind: 'error', words: 'Last sync failed' };
  if (account.status === 'expiring' && account.reconnect_by) {
    return { kind: 'warning', words: `Reconnect before ${formatDate(account.reconnect_by, { day: 'numeric', month: 'short' })}` };
  }
  return { kind: 'ok', words: 'Connected' };
}

export function platformAccounts(state, platform) {
  return state.accounts.filter((account) => account.platform === platform);
}

// Status of one platform: 'connecting', 'error', 'connected' or 'not_connected', with the
// platform's active accounts and, for an error, why.
export function platformStatus(state, platform) {
  const accounts = platformAccounts(state, platform);
  if (state.pending[platform]) return { kind: 'connecting', accounts };
  if (accounts.some((account) => account.status === 'needs_reauth')) {
    return { kind: 'error', accounts, reason: 'Facebook needs you to sign in again: choose Reconnect in the account\u2019s menu.' };
  }
  if (accounts.length) return { kind: 'connected', accounts };
  const outcome = state.outcomes[platform];
  if (outcome && !outcome.connected) return { kind: 'error', accounts, reason: describeOutcome(outcome) };
  return { kind: 'not_connected', accounts };
}

export function isConnected(state, platform) {
  return platformAccounts(state, platform).length > 0;
}

export function accountLabel(account) {
  return `${account.account_name || account.username} (${PLATFORM_LABELS[account.platform]})`;
}
