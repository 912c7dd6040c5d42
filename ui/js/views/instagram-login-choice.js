// The second way to connect Instagram, offered by the guidance when no Instagram account came
// through the Facebook Page: Instagram Login, which connects a professional (business or creator)
// account on its own, without a Facebook Page.

import { h } from '../dom.js';

const LABEL = 'Connect with Instagram';

// Reasons for which connecting Instagram directly helps: there is no Page, or none links the account.
export const INSTAGRAM_LOGIN_HELPS = ['no_instagram_business_account', 'no_pages'];

// `onChoose` resolves true when the browser is on its way to Instagram.
export function instagramLoginChoice(onChoose) {
  const button = h('button', { type: 'button', class: 'button secondary', id: 'instagram-login-choice', onClick: choose }, LABEL);

  async function choose() {
    button.disabled = true;
    button.textContent = 'Opening Instagram\u2026';
    if (await onChoose()) return;
    button.disabled = false;
    button.textContent = LABEL;
  }

  return h('section', { class: 'login-choice', 'aria-labelledby': 'login-choice-title' },
    h('h3', { id: 'login-choice-title' }, 'Two ways to connect Instagram'),
    h('ol', {},
      h('li', {}, h('strong', {}, 'Link it to your Facebook Page'), ': the next steps show how.'),
      h('li', {}, h('strong', {}, 'Or connect it directly'), ': a professional (business or creator) Instagram account '
        + 'can sign in with Instagram, no Facebook Page needed.')),
    button);
}
