// Development only: the local stack's Facebook Login is the fake Graph API's dialog, and its
// Instagram Login the fake's window; both sign in at once as one of the fake's demo people.
// Choosing them here shows each connect outcome (a Page with Instagram, a Page without, declined
// permissions, Business-portfolio Pages, data access about to end, an Instagram account without a
// Page, a personal Instagram account). Each switch shows whom it signs in as now. Products have no
// such thing.

import { h } from '../dom.js';

export function mountFacebookLoginSwitch(container, dev, notify) {
  const facebook = loginSwitch({
    id: 'facebook-login-user', label: 'Facebook Login signs in as', people: dev.facebookLoginUsers,
    path: 'dev/facebook-login-user', field: 'metaUserId', unknown: (id) => `Meta user ${id}`,
    done: (label) => `The fake Facebook Login now signs in as ${label}.`, notify,
  });
  const instagram = loginSwitch({
    id: 'instagram-login-account', label: 'Instagram Login signs in as', people: dev.instagramLoginAccounts || [],
    path: 'dev/instagram-login-account', field: 'instagramAccountId', unknown: (id) => `Instagram account ${id}`,
    done: (label) => `The fake Instagram Login now signs in as ${label}.`, notify,
  });

  container.replaceChildren(h('section', { class: 'panel dev-only', 'aria-labelledby': 'dev-tools-title' },
    h('h2', { id: 'dev-tools-title' }, 'Development: fake Facebook and Instagram Login'),
    h('p', {}, 'The local stack answers Facebook Login and Instagram Login itself. Pick whom they sign in as, then press Connect.'),
    ...facebook, ...instagram));
}

// A labelled select of the fake's demo people; choosing one posts it to `path`.
function loginSwitch({ id, label, people, path, field, unknown, done, notify }) {
  const choice = h('select', { id, onChange: () => choose(choice.value) },
    ...people.map((person) => h('option', { value: person.id }, person.label)));

  async function request(method, body) {
    const response = await fetch(path, {
      method, headers: { 'Content-Type': 'application/json' }, body: body && JSON.stringify(body),
    });
    if (!response.ok) throw new Error('Could not reach the fake login.');
    return (await response.json())[field];
  }

  async function choose(value) {
    try {
      choice.value = await request('POST', { [field]: value });
      notify(done(people.find((person) => person.id === value)?.label), 'success');
    } catch (error) {
      notify(error.message, 'error');
    }
  }

  request('GET').then((current) => {
    // Someone the list does not name (the tests make their own) is shown as such.
    if (current && !people.some((person) => person.id === current)) choice.append(h('option', { value: current }, unknown(current)));
    choice.value = current;
  }, () => {});
  return [h('label', { for: id }, label), choice];
}
