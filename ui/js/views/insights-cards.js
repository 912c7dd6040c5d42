// Insights cards: per connected platform, a few metrics for the last hour and the last 24 hours
// from the insights read API, and a small chart of the last 24 hourly values.

import { h, formatNumber } from '../dom.js';
import { PLATFORMS, PLATFORM_LABELS, isConnected } from '../platforms.js';

// The metrics each card shows; the first one is charted. An hourly row's `metrics` is a snapshot
// (Meta's newest value), and its `derived.<metric>_delta` is what Meta added since the hour
// before. The API aggregates by kind (README "Insights aggregates"): for an additive metric "last
// hour" is `last_hour_<metric>` and "last 24 hours" `sum_<metric>`; a unique one (reach) has only
// Meta's newest day value, `last_<metric>`, never a sum.
const CARD_METRICS = {
  facebook: [
    { key: 'page_media_view', label: 'Views' },
    { key: 'page_post_engagements', label: 'Post engagements' },
  ],
  instagram: [
    { key: 'views', label: 'Views' },
    { key: 'reach', label: 'Reach' },
    { key: 'total_interactions', label: 'Interactions' },
  ],
};
const HOURS = 24;

export function mountInsightsCards(container, store, api) {
  const charts = [];
  let shownPlatforms = null;
  let latestRefresh = 0;

  // Loads and redraws every card; called when the dashboard opens and after a sync. Only the
  // newest of overlapping refreshes draws.
  async function refresh() {
    const state = store.get();
    // Which platforms have cards depends on the accounts; they come first.
    if (!state.accountsLoaded) return;
    const refreshId = ++latestRefresh;
    const cards = await Promise.all(PLATFORMS.map(async (platform) => {
      if (!isConnected(state, platform)) return { element: notConnectedCard(platform) };
      try {
        return insightsCard(platform, await api.hourlyInsights(platform, HOURS));
      } catch (error) {
        return { element: messageCard(platform, `Insights could not be loaded: ${error.message}`) };
      }
    }));
    if (refreshId !== latestRefresh) return;
    charts.splice(0).forEach((chart) => chart.destroy());
    container.replaceChildren(...cards.map((card) => card.element));
    // Chart.js sizes a chart from its canvas's container, so charts are drawn once attached.
    cards.forEach((card) => card.drawChart && charts.push(card.drawChart()));
    container.dataset.loaded = 'true';
  }

  // The accounts arriving, or a platform connecting or disconnecting, changes the cards.
  store.subscribe((state) => {
    const connected = state.accountsLoaded ? PLATFORMS.filter((platform) => isConnected(state, platform)).join() : null;
    if (connected !== shownPlatforms) {
      shownPlatforms = connected;
      refresh();
    }
  });

  return { refresh };
}

function cardShell(platform, ...content) {
  const titleId = `insights-${platform}-title`;
  return h('article', { class: `card insights-card platform-${platform}`, 'data-platform': platform, 'aria-labelledby': titleId },
    h('h3', { id: titleId }, PLATFORM_LABELS[platform]),
    ...content);
}

function messageCard(platform, text) {
  return cardShell(platform, h('p', { class: 'hint' }, text));
}

function notConnectedCard(platform) {
  const label = PLATFORM_LABELS[platform];
  return cardShell(platform, h('p', { class: 'hint' }, `${label} is not connected. `, h('a', { href: '#/settings' }, `Connect ${label} in Settings`), '.'));
}

// -> {element, drawChart}
function insightsCard(platform, insights) {
  if (insights.series.length === 0) return { element: cardShell(platform, h('p', { class: 'no-data' }, 'No data yet')) };

  const totals = insights.aggregates;
  const metrics = CARD_METRICS[platform];
  const cell = (value, window) => h('td', { 'data-window': window }, value === undefined ? '\u2013' : formatNumber(value));
  const table = h('table', { class: 'figures' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Metric'), h('th', { scope: 'col' }, 'Last hour'), h('th', { scope: 'col' }, 'Last 24 hours'))),
    h('tbody', {}, ...metrics.map(({ key, label }) => h('tr', { 'data-metric': key },
      h('th', { scope: 'row' }, label),
      cell(totals[`last_hour_${key}`], 'hour'),
      cell(totals[`sum_${key}`] ?? totals[`last_${key}`], 'day')))));

  const charted = metrics[0];
  const points = hourlyTotals(insights.series, `${charted.key}_delta`);
  const hasHourlyValues = points.some(([, value]) => value !== null);
  const canvas = h('canvas', { role: 'img', 'aria-label': `${charted.label} per hour over the last ${HOURS} hours` });
  const element = cardShell(platform,
    totals.last_followers_count !== undefined && followersLine(totals.last_followers_count, totals.change_followers_count),
    table,
    // A delta needs the hour before: an account synced for the first time has none yet.
    hasHourlyValues
      ? h('div', { class: 'chart' }, canvas)
      : h('p', { class: 'hint' }, 'Hourly changes appear once two hourly syncs have run.'));
  return { element, drawChart: hasHourlyValues && (() => hourlyChart(canvas, points, charted.label)) };
}

function followersLine(followers, change) {
  return h('p', { class: 'followers', 'data-metric': 'followers_count' },
    h('strong', {}, formatNumber(followers)), ' followers',
    change !== undefined && h('span', { class: 'change' }, ` (${change >= 0 ? '+' : ''}${formatNumber(change)} in ${HOURS} hours)`));
}

// One value per hour, added up over the platform's accounts (the series has a row per account
// and hour, oldest first). An hour without the value stays a gap.
function hourlyTotals(series, key) {
  const byHour = new Map();
  for (const row of series) {
    const value = row.derived[key];
    const total = byHour.get(row.window_start) ?? null;
    byHour.set(row.window_start, value === undefined ? total : (total ?? 0) + value);
  }
  return [...byHour];
}

function hourlyChart(canvas, points, label) {
  const hourLabel = new Intl.DateTimeFormat(undefined, { hour: 'numeric' });
  return new window.Chart(canvas, {
    type: 'bar',
    data: {
      labels: points.map(([windowStart]) => hourLabel.format(new Date(windowStart))),
      datasets: [{ label, data: points.map(([, value]) => value), backgroundColor: '#3b82f6' }],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { x: { ticks: { maxTicksLimit: 6 } }, y: { beginAtZero: true, ticks: { maxTicksLimit: 4 } } },
    },
  });
}
