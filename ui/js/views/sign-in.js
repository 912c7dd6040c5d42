// The devstack's development-only sign-in: pick a demo user, or type any user id (a fresh user
// with nothing connected). Products sign their users in with Supabase Auth or Clerk instead.

import { h } from '../dom.js';

export function renderSignIn(container, demoUsers, onSignIn) {
  const error = h('p', { class: 'error-text', role: 'alert' });
  const userId = h('input', { id: 'user-id', name: 'userId', required: true, autocomplete: 'off', pattern: '[A-Za-z0-9_.:\\-]+' });

  async function signIn(id) {
    error.textContent = '';
    try {
      await onSignIn(id);
    } catch (failure) {
      error.textContent = failure.message;
    }
  }

  container.replaceChildren(
    h('h1', { id: 'sign-in-title' }, 'Sign in'),
    h('p', { class: 'dev-only' }, 'Development only: the local stack signs a token for the user you pick with its own secret. ',
      'A product signs its users in with Supabase Auth or Clerk instead.'),
    h('div', { class: 'panel' },
      h('h2', {}, 'Demo users'),
      h('ul', { class: 'demo-users' }, ...demoUsers.map((user) =>
        h('li', {}, h('button', { type: 'button', class: 'button secondary', onClick: () => signIn(user.id) }, `Sign in as ${user.label}`))))),
    h('form', { class: 'panel', onSubmit: (event) => { event.preventDefault(); signIn(userId.value.trim()); } },
      h('h2', {}, 'Another user'),
      h('label', { for: 'user-id' }, 'User id'),
      h('div', { class: 'inline-form' }, userId, h('button', { type: 'submit', class: 'button primary' }, 'Sign in'))),
    error);
}
