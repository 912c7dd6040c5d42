// The signed-in user and their JWT.
//
// Here the JWT comes from the devstack's development-only sign-in (`POST /dev/sign-in`). A product
// replaces this module with its own session: Supabase Auth's `session.access_token` or Clerk's
// `getToken()`. Everything else only calls `accessToken()`.
//
// localStorage keeps the session across the Facebook Login round trip and in new tabs, as
// Supabase Auth does; signing out removes it everywhere.

const STORAGE_KEY = 'social-link.session';

export function currentSession() {
  const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || 'null');
  if (!saved || tokenExpiry(saved.accessToken) <= Date.now()) return null;
  return saved;
}

export function accessToken() {
  return currentSession()?.accessToken ?? '';
}

export async function devSignIn(userId) {
  const response = await fetch('dev/sign-in', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  const payload = await response.json();
  if (!response.ok) throw new Error(payload.message || 'Sign-in failed');
  localStorage.setItem(STORAGE_KEY, JSON.stringify(payload));
  return payload;
}

export function signOut() {
  localStorage.removeItem(STORAGE_KEY);
}

function tokenExpiry(jwt) {
  const payload = JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  return payload.exp * 1000;
}
