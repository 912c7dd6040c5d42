// Insights cards: per connected platform, a few metrics for the last hour and the last 24 hours
// from the insights read API, and a small chart of the last 24 hourly values.

import { h, formatNumber } from '../dom.js';
import { PLATFORMS, PLATFORM_LABELS, isConnected } from '../platforms.js';

// The metrics each card shows; the first one is charted. Hourly rows hold what happened in that
// hour, so "last 24 hours" is the API's sum over the window.
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
  let shownPlatforms = '';
  let latestRefresh = 0;

  // Loads and redraws every card; called when the dashboard opens and after a sync. Only the
  // newest of overlapping refreshes draws.
  async function refresh() {
    const refreshId = ++latestRefresh;
    const state = store.get();
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

  // Connecting or disconnecting changes which cards have data.
  store.subscribe((state) => {
    const connected = PLATFORMS.filter((platform) => isConnected(state, platform)).join();
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
  const series = [...insights.series].sort((a, b) => a.window_start.localeCompare(b.window_start));
  if (series.length === 0) return { element: cardShell(platform, h('p', { class: 'no-data' }, 'No data yet')) };

  const latest = series[series.length - 1];
  const metrics = CARD_METRICS[platform];
  const cell = (value, window) => h('td', { 'data-window': window }, value === undefined || value === null ? '\u2013' : formatNumber(value));
  const table = h('table', { class: 'figures' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Metric'), h('th', { scope: 'col' }, 'Last hour'), h('th', { scope: 'col' }, 'Last 24 hours'))),
    h('tbody', {}, ...metrics.map(({ key, label }) => h('tr', { 'data-metric': key },
      h('th', { scope: 'row' }, label),
      cell(latest.metrics[key], 'hour'),
      cell(insights.aggregates[`sum_${key}`], 'day')))));

  const followers = insights.aggregates.last_followers_count;
  const charted = metrics[0];
  const canvas = h('canvas', { role: 'img', 'aria-label': `${charted.label} per hour over the last ${HOURS} hours` });
  const element = cardShell(platform,
    followers !== undefined && h('p', { class: 'followers', 'data-metric': 'followers_count' }, h('strong', {}, formatNumber(followers)), ' followers'),
    table,
    h('div', { class: 'chart' }, canvas));
  return { element, drawChart: () => hourlyChart(canvas, series, charted) };
}

function hourlyChart(canvas, series, metric) {
  const hourLabel = new Intl.DateTimeFormat(undefined, { hour: 'numeric' });
  return new window.Chart(canvas, {
    type: 'bar',
    data: {
      labels: series.map((row) => hourLabel.format(new Date(row.window_start))),
      datasets: [{ label: metric.label, data: series.map((row) => row.metrics[metric.key] ?? null), backgroundColor: '#3b82f6' }],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { x: { ticks: { maxTicksLimit: 6 } }, y: { beginAtZero: true, ticks: { maxTicksLimit: 4 } } },
    },
  });
}
