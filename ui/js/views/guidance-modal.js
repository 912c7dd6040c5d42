// The guidance shown when Instagram did not connect: why, how to link the account, and the
// permission check with "Re-check now". Page one and the checklist follow the reason the backend
// returned.

import { h } from '../dom.js';
import { INSTAGRAM_PERMISSIONS } from '../platforms.js';

const WHY = {
  no_instagram_business_account: [
    'Your Facebook Page is connected, but no Instagram account is linked to it as a business account.',
    'Instagram connects through a Facebook Page: only a Business (or Creator) account that is linked to your Page can be connected here.',
  ],
  missing_permissions: [
    'Facebook did not share everything Instagram needs: some permissions were declined or removed.',
    'Without them we cannot see the Instagram account linked to your Page. The last step lists what is missing.',
  ],
  no_pages: [
    'We could not find a Facebook Page that you manage with this Facebook login.',
    'An Instagram business account connects through a Facebook Page, so a Page has to come first (or the Page was not selected when you signed in).',
  ],
};

// Why each permission matters, in a few words. The connect flow asks for all of them; the first
// three are the ones Instagram cannot do without.
const PERMISSION_PURPOSE = {
  instagram_basic: 'to read the Instagram account\u2019s profile',
  pages_show_list: 'to see the Pages you manage',
  pages_read_engagement: 'to read the Page and the accounts linked to it',
  instagram_manage_insights: 'to read Instagram insights',
  read_insights: 'to read Page insights',
  business_management: 'to reach Pages owned by a business portfolio',
};

const PAGE_TITLES = ['Why Instagram did not connect', 'How to link your Instagram account', 'Check the permissions'];

export function createGuidanceModal(dialog, { onRecheck }) {
  let pageIndex = 0;
  let outcome = { reason: 'no_instagram_business_account', missingPermissions: [] };

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

  const pages = [whyPage, howToLinkPage, permissionsPage];

  function show(index) {
    pageIndex = index;
    title.textContent = PAGE_TITLES[index];
    stepLabel.textContent = `Step ${index + 1} of ${pages.length}`;
    body.replaceChildren(...pages[index]());
    back.disabled = index === 0;
    next.hidden = index === pages.length - 1;
    recheck.hidden = index !== pages.length - 1;
    recheck.disabled = false;
    recheck.textContent = 'Re-check now';
  }

  function whyPage() {
    const [lead, detail] = WHY[outcome.reason] || WHY.no_instagram_business_account;
    const missing = outcome.missingPermissions;
    return [
      h('p', {}, lead),
      h('p', {}, detail),
      missing.length > 0 && h('p', { class: 'missing-summary' }, `Not granted: ${missing.join(', ')}.`),
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
    const names = [...new Set([...INSTAGRAM_PERMISSIONS, ...missing])];
    const item = (name) => h('li', { class: missing.has(name) ? 'missing' : null, 'data-permission': name },
      h('code', {}, name), ` ${PERMISSION_PURPOSE[name] || ''} `, missing.has(name) && h('strong', { class: 'missing-tag' }, 'Missing'));
    return [
      h('p', {}, 'When Facebook asks, keep all of these switched on:'),
      h('ul', { class: 'permissions' },
        ...names.map(item),
        h('li', {}, 'Admin access (full control) to the Facebook Page the Instagram account is linked to.')),
      h('p', {}, 'Re-check now signs in with Facebook again and looks for your Instagram account.'),
    ];
  }

  async function recheckNow() {
    recheck.disabled = true;
    recheck.textContent = 'Checking...';
    const leaving = await onRecheck();
    if (leaving) return;
    // The re-check could not start; its error shows on the Instagram section.
    recheck.disabled = false;
    recheck.textContent = 'Re-check now';
  }

  return {
    open(instagramOutcome) {
      outcome = { ...instagramOutcome, missingPermissions: instagramOutcome.missingPermissions || [] };
      show(0);
      if (!dialog.open) dialog.showModal();
    },
    close: () => dialog.close(),
  };
}
