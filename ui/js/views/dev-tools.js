// Development only: the local stack's Facebook Login is the fake Graph API's dialog, which signs
// in as one of its Meta demo users at once. Choosing the user here shows each connect outcome (a
// Page with Instagram, a Page without, declined permissions). The switch shows whom the dialog
// signs in as now. Products have no such thing.

import { h } from '../dom.js';

export function mountFacebookLoginSwitch(container, facebookLoginUsers, notify) {
  const choice = h('select', { id: 'facebook-login-user', onChange: () => choose(choice.value) },
    ...facebookLoginUsers.map((user) => h('option', { value: user.id }, user.label)));

  async function request(method, body) {
    const response = await fetch('dev/facebook-login-user', {
      method, headers: { 'Content-Type': 'application/json' }, body: body && JSON.stringify(body),
    });
    if (!response.ok) throw new Error('Could not reach the fake Facebook Login.');
    return (await response.json()).metaUserId;
  }

  async function choose(metaUserId) {
    try {
      choice.value = await request('POST', { metaUserId });
      const label = facebookLoginUsers.find((user) => user.id === metaUserId)?.label;
      notify(`The fake Facebook Login now signs in as ${label}.`, 'success');
    } catch (error) {
      notify(error.message, 'error');
    }
  }

  container.replaceChildren(h('section', { class: 'panel dev-only', 'aria-labelledby': 'dev-tools-title' },
    h('h2', { id: 'dev-tools-title' }, 'Development: fake Facebook Login'),
    h('p', {}, 'The local stack answers Facebook Login itself. Pick whom it signs in as, then press Connect.'),
    h('label', { for: 'facebook-login-user' }, 'Facebook Login signs in as'),
    choice));
  request('GET').then((current) => {
    // Someone the list does not name (the tests make their own Meta users) is shown as such.
    if (!facebookLoginUsers.some((user) => user.id === current)) choice.append(h('option', { value: current }, `Meta user ${current}`));
    choice.value = current;
  }, () => {});
}
