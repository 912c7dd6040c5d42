// Development only: the local stack's Facebook Login is the fake Graph API's dialog, which signs
// in as one of its demo users at once. Choosing the user here shows each connect outcome (both
// accounts, Page without Instagram, declined permissions). Products have no such thing.

import { h } from '../dom.js';

export function mountFacebookLoginSwitch(container, facebookLoginUsers, notify) {
  const choice = h('select', { id: 'facebook-login-user', onChange: () => choose(choice.value) },
    h('option', { value: '' }, 'Keep the current user (Alice at start)'),
    ...facebookLoginUsers.map((user) => h('option', { value: user.id }, user.label)));

  async function choose(metaUserId) {
    if (!metaUserId) return;
    const response = await fetch('dev/facebook-login-user', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ metaUserId }),
    });
    notify(response.ok ? 'The fake Facebook Login now signs in as the user you chose.' : 'Could not switch the fake Facebook Login user.',
      response.ok ? 'info' : 'error');
  }

  container.replaceChildren(h('section', { class: 'panel dev-only', 'aria-labelledby': 'dev-tools-title' },
    h('h2', { id: 'dev-tools-title' }, 'Development: fake Facebook Login'),
    h('p', {}, 'The local stack answers Facebook Login itself. Pick whom it signs in as, then press Connect.'),
    h('label', { for: 'facebook-login-user' }, 'Facebook Login signs in as'),
    choice));
}
