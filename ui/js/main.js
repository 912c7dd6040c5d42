// Boots the reference UI: settings from /config.json, the signed-in user, the views, and the
// outcome of a Facebook Login round trip when this page load is one.

import { createActions } from './actions.js';
import { createApi } from './api.js';
import { startConnect, takeReturnedOutcome } from './connect-flow.js';
import { createDatabase } from './database.js';
import { accessToken, currentSession, devSignIn, signOut } from './session.js';
import { createStore } from './store.js';
import { mountChannelCards, mountSyncButton } from './views/channel-cards.js';
import { createConfirmDialog } from './views/confirm-dialog.js';
import { mountFacebookLoginSwitch } from './views/dev-tools.js';
import { createGuidanceModal } from './views/guidance-modal.js';
import { mountKpiTiles } from './views/kpi-tiles.js';
import { mountNotice } from './views/notice.js';
import { mountPublishingPreview } from './views/publishing-preview.js';
import { renderSignIn } from './views/sign-in.js';
import { mountTopPosts } from './views/top-posts.js';

const ROUTES = ['dashboard', 'settings'];
const byId = (id) => document.getElementById(id);

const config = await (await fetch('config.json')).json();
const session = currentSession();
if (session) startApp(session);
else showSignIn();

function showSignIn() {
  showView('sign-in');
  renderSignIn(byId('view-sign-in'), config.dev.demoUsers, async (userId) => {
    await devSignIn(userId);
    window.location.reload();
  });
}

function startApp(signedIn) {
  const store = createStore();
  const api = createApi(config.webhookUrl, accessToken);
  const database = createDatabase(config, accessToken);
  const notice = mountNotice(byId('notice'));
  const guidance = createGuidanceModal(byId('guidance'), {
    // "Re-check now" runs the connect flow again.
    onRecheck: (platform) => startConnect(store, api, platform),
    onInstagramLogin: () => startConnect(store, api, 'instagram', 'instagram_login'),
    onClosed: (platform) => {
      const card = document.querySelector(`#connected-accounts [data-platform=${platform}]`);
      const howToFix = card?.querySelector('.reason-box button');
      (howToFix && !howToFix.hidden ? howToFix : card?.querySelector('h3'))?.focus();
    },
  });
  const actions = createActions({
    store, api, database, guidance,
    notify: notice.show,
    confirm: createConfirmDialog(byId('confirm')),
  });
  mountChannelCards(byId('connected-accounts'), store, actions);
  mountSyncButton(byId('sync-now'), store, actions);
  mountKpiTiles(byId('insights'), store, database);
  mountTopPosts(byId('top-posts'), store, api);
  mountPublishingPreview(byId('publishing-preview'), store);
  mountFacebookLoginSwitch(byId('dev-tools'), config.dev, notice.show);

  byId('who-name').textContent = `Signed in as ${signedIn.userId}`;
  byId('who').hidden = false;
  byId('main-nav').hidden = false;
  byId('sign-out').addEventListener('click', () => {
    signOut();
    window.location.assign(window.location.pathname);
  });

  const returned = takeReturnedOutcome();
  if (returned) actions.showConnectOutcome(returned);
  else actions.load();
  window.addEventListener('hashchange', () => {
    // A notice belongs to the page it was shown on.
    notice.clear();
    showRoute();
  });
  showRoute();
}

function showRoute() {
  const route = ROUTES.find((name) => window.location.hash === `#/${name}`) || 'dashboard';
  showView(route);
  document.querySelectorAll('#main-nav a').forEach((link) => {
    if (link.dataset.route === route) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  });
}

function showView(name) {
  document.querySelectorAll('.view').forEach((view) => { view.hidden = view.id !== `view-${name}`; });
}
