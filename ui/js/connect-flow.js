// Connecting goes through Facebook Login, production-shaped: the service hands out the Login
// dialog's URL, the browser goes there, Facebook returns to the service's OAuth callback, which
// runs the connect flow (Facebook Pages and linked Instagram accounts in one go), stores each
// platform's outcome, starts the first sync and sends the browser back here. No token ever
// reaches the browser.

import { PLATFORMS } from './platforms.js';
import { setPending } from './store.js';

// Resolves true when the browser is on its way to Facebook Login (or Instagram Login: `login`
// 'instagram_login' connects an Instagram professional account without a Facebook Page).
export async function startConnect(store, api, platform, login = 'facebook_login') {
  setPending(store, platform, true);
  try {
    const { url } = await api.oauthStart(platform, login);
    window.location.assign(url);
    return true;
  } catch (error) {
    setPending(store, platform, false);
    store.update((state) => ({
      outcomes: { ...state.outcomes, [platform]: { connected: false, reason: 'request_failed', message: error.message } },
    }));
    return false;
  }
}

// The outcome the OAuth callback put in the query string, in the connect API's per-platform shape,
// or null when this page load is not a return from Facebook Login. The callback sends
// `connect=done` with `facebook=connected|<reason>`, `instagram=...` and `missing_permissions=a,b`,
// or `connect=cancelled|failed` with `error=<reason>`. The service stores the same outcome, which
// is what a later reload shows; the query only says "this load is a return".
//
// The address becomes #/settings in place (no new history entry): the query is not replayed on
// reload, and Back does not land on Facebook's `#_=_`.
export function takeReturnedOutcome() {
  const query = new URLSearchParams(window.location.search);
  if (!query.has('connect')) return null;
  window.history.replaceState(null, '', `${window.location.pathname}#/settings`);

  const missingPermissions = (query.get('missing_permissions') || '').split(',').filter(Boolean);
  const outcome = { platform: query.get('platform') };
  // Instagram Login is about Instagram alone: Facebook's outcome is left as it was.
  const platforms = query.get('login') === 'instagram_login' ? ['instagram'] : PLATFORMS;
  for (const platform of platforms) {
    const value = query.get(platform) || query.get('error') || 'request_failed';
    outcome[platform] = value === 'connected'
      ? { connected: true }
      : { connected: false, reason: value, missingPermissions: value === 'missing_permissions' ? missingPermissions : [] };
  }
  return outcome;
}
