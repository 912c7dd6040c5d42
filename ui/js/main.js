// Boots the reference UI: settings from /config.json, the signed-in user, the views, and the
// outcome of a Facebook Login round trip when this page load is one.

import { createAccountsReader } from './accounts.js';
import { createActions } from './actions.js';
import { createApi } from './api.js';
import { startConnect, takeReturnedOutcome } from './connect-flow.js';
import { accessToken, currentSession, devSignIn, signOut } from './session.js';
import { createStore } from './store.js';
import { mountConnectedAccounts } from './views/connected-accounts.js';
import { mountFacebookLoginSwitch } from './views/dev-tools.js';
import { createGuidanceModal } from './views/guidance-modal.js';
import { mountInsightsCards } from './views/insights-cards.js';
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
  const insights = mountInsightsCards(byId('insights-cards'), store, api);
  mountTopPosts(byId('top-posts'), store, api);
  // "Re-check now" runs the connect flow for Instagram again.
  const guidance = createGuidanceModal(byId('guidance'), { onRecheck: () => startConnect(store, api, 'instagram') });
  const actions = createActions({
    store, api, insights, guidance, notify,
    readAccounts: createAccountsReader(config, accessToken),
  });
  mountConnectedAccounts(byId('connected-accounts'), store, actions);
  mountPublishingPreview(byId('publishing-preview'), store);
  mountFacebookLoginSwitch(byId('dev-tools'), config.dev.facebookLoginUsers, notify);

  byId('who-name').textContent = `Signed in as ${signedIn.userId}`;
  byId('who').hidden = false;
  byId('main-nav').hidden = false;
  byId('sign-out').addEventListener('click', () => {
    signOut();
    window.location.assign(window.location.pathname);
  });

  const returned = takeReturnedOutcome();
  if (returned) {
    window.location.hash = '#/settings';
    actions.showConnectOutcome(returned);
  } else {
    actions.refreshAccounts();
  }
  window.addEventListener('hashchange', () => showRoute(insights));
  showRoute(insights);
}

function showRoute(insights) {
  const route = ROUTES.find((name) => window.location.hash === `#/${name}`) || 'dashboard';
  showView(route);
  document.querySelectorAll('#main-nav a').forEach((link) => {
    if (link.dataset.route === route) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  });
  if (route === 'dashboard') insights.refresh();
}

function showView(name) {
  document.querySelectorAll('.view').forEach((view) => { view.hidden = view.id !== `view-${name}`; });
}

function notify(text, kind = 'info') {
  const notice = byId('notice');
  notice.dataset.kind = kind;
  notice.textContent = text;
}
