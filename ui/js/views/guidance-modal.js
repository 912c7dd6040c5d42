// The guidance shown when a platform did not connect: why, what to change (for Instagram, how to
// link the account), and the permission check with "Re-check now". The pages follow the
// platform and the reason the service stored; permissions are named by what they let us do.

import { h, present } from '../dom.js';
import { PLATFORM_LABELS, PERMISSION_PURPOSE, REQUIRED_PERMISSIONS, describePermission } from '../platforms.js';
import { INSTAGRAM_LOGIN_HELPS, instagramLoginChoice } from './instagram-login-choice.js';

const WHY = {
  facebook: {
    missing_permissions: [
      'Facebook did not share everything we need to read your Page: some permissions were switched off when you signed in.',
      'Without them we cannot list your Pages or read their insights. The last step shows which ones are missing.',
    ],
    no_pages: [
      'We could not find a Facebook Page that you manage with this Facebook login.',
      'Insights come from a Facebook Page, so you need one (and need to select it when Facebook asks which Pages to share).',
    ],
  },
  instagram: {
    no_instagram_business_account: [
      'Your Facebook Page is connected, but no Instagram account is linked to it as a business account.',
      'Through Facebook, Instagram comes with a Facebook Page: only a Business (or Creator) account that is linked to your Page is found that way.',
    ],
    missing_permissions: [
      'Facebook did not share everything Instagram needs: some permissions were declined or removed.',
      'Without them we cannot see the Instagram account linked to your Page. The last step lists what is missing.',
    ],
    no_pages: [
      'We could not find a Facebook Page that you manage with this Facebook login.',
      'An Instagram business account connects through a Facebook Page, so a Page has to come first (or the Page was not selected when you signed in).',
    ],
  },
};

export function createGuidanceModal(dialog, { onRecheck, onClosed, onInstagramLogin }) {
  let pageIndex = 0;
  let platform = 'instagram';
  let outcome = { reason: 'no_instagram_business_account', missingPermissions: [] };
  let pages = [];

  const title = h('h2', { id: 'guidance-title' });
  const stepLabel = h('p', { class: 'step-label' });
  const body = h('div', { class: 'guidance-body' });
  const back = h('button', { type: 'button', class: 'button quiet', onClick: () => show(pageIndex - 1) }, 'Back');
  const next = h('button', { type: 'button', class: 'button primary', onClick: () => show(pageIndex + 1) }, 'Next');
  const recheck = h('button', { type: 'button', class: 'button primary', onClick: recheckNow }, 'Re-check now');
  const close = h('button', { type: 'button', class: 'button quiet close', onClick: () => dialog.close() }, 'Close');

  dialog.append(
    h('header', { class: 'dialog-header' }, h('div', {}, stepLabel, title), close),
    body,
    h('footer', { class: 'dialog-footer' }, back, next, recheck));
  // Opened by the page itself (back from Facebook Login), the dialog has no button to return
  // focus to: the platform's card takes it instead of the page's body.
  let opener = null;
  dialog.addEventListener('close', () => {
    if (!opener || opener === document.body || !opener.isConnected) onClosed(platform);
  });

  function show(index) {
    pageIndex = index;
    const page = pages[index];
    title.textContent = page.title;
    stepLabel.textContent = `Step ${index + 1} of ${pages.length}`;
    body.replaceChildren(...present(page.content()));
    back.disabled = index === 0;
    next.hidden = index === pages.length - 1;
    recheck.hidden = index !== pages.length - 1;
    recheck.disabled = false;
    recheck.textContent = 'Re-check now';
  }

  function whyPage() {
    const reasons = WHY[platform];
    const [lead, detail] = reasons[outcome.reason] || Object.values(reasons)[0];
    const missing = outcome.missingPermissions;
    return [
      h('p', {}, lead),
      h('p', {}, detail),
      missing.length > 0 && h('p', { class: 'missing-summary' }, `Not granted: ${missing.map(describePermission).join(', ')}.`),
      platform === 'instagram' && INSTAGRAM_LOGIN_HELPS.includes(outcome.reason) && instagramLoginChoice(onInstagramLogin),
    ];
  }

  function howToLinkPage() {
    return [h('ol', { class: 'steps' },
      h('li', {}, 'In the Instagram app, open your profile, then Settings and Account type and tools, and choose ',
        h('strong', {}, 'Switch to professional account'), ', then ', h('strong', {}, 'Business'), '.'),
      h('li', {}, 'On Facebook, open your Page\u2019s settings, go to ', h('strong', {}, 'Linked accounts'),
        ' and link that Instagram account to the Page.'),
      h('li', {}, 'Come back here and press ', h('strong', {}, 'Connect'), ' again, or ',
        h('strong', {}, 'Re-check now'), ' on the next step.'))];
  }

  function permissionsPage() {
    const missing = new Set(outcome.missingPermissions);
    const names = [...new Set([...REQUIRED_PERMISSIONS[platform], ...missing])];
    const item = (name) => h('li', { class: missing.has(name) ? 'missing' : null, 'data-permission': name },
      `To ${PERMISSION_PURPOSE[name] || 'work'}: `, h('code', {}, name), ' ',
      missing.has(name) && h('strong', { class: 'missing-tag' }, 'Missing'));
    return [
      h('p', {}, 'When Facebook asks, keep all of these switched on:'),
      h('ul', { class: 'permissions' },
        ...names.map(item),
        h('li', {}, `Admin access (full control) to the Facebook Page${platform === 'instagram' ? ' the Instagram account is linked to' : ''}.`)),
      h('p', {}, `Re-check now signs in with Facebook again and looks for your ${PLATFORM_LABELS[platform]} account.`),
    ];
  }

  async function recheckNow() {
    recheck.disabled = true;
    recheck.textContent = 'Checking\u2026';
    const leaving = await onRecheck(platform);
    if (leaving) return;
    // The re-check could not start; its error shows on the platform's card.
    recheck.disabled = false;
    recheck.textContent = 'Re-check now';
  }

  return {
    open(forPlatform, platformOutcome) {
      platform = forPlatform;
      outcome = { ...platformOutcome, missingPermissions: platformOutcome.missingPermissions || [] };
      const label = PLATFORM_LABELS[platform];
      pages = [
        { title: `Why ${label} did not connect`, content: whyPage },
        platform === 'instagram' && outcome.reason === 'no_instagram_business_account'
          && { title: 'How to link your Instagram account', content: howToLinkPage },
        { title: 'Check the permissions', content: permissionsPage },
      ].filter(Boolean);
      show(0);
      if (!dialog.open) {
        opener = document.activeElement;
        dialog.showModal();
      }
    },
    close: () => dialog.close(),
  };
}
