// Dashboard -> Insights: KPI tiles for one account at a time (a picker when there are several).
// Each tile has a big number, its change against the previous period in words and with an arrow
// (colour only repeats them), a titled sparkline with a text equivalent, and "last hour".
//
// Everything is computed from the read RPC's `series` rows (`metrics`: what Meta reported;
// `derived`: `<metric>_delta`, the change since the hour before), read with supabase-js under
// RLS, so the tiles do not depend on the names of the RPC's aggregates.
//
// After the first sync an account has 30 days of daily rows: the tiles show yesterday and the
// daily trend at once, while "last hour" needs two hourly syncs ("Collecting data").

import { accountAvatar, formatDate, formatNumber, h, present, relativeTime } from '../dom.js';
import { PLATFORM_LABELS, accountLabel } from '../platforms.js';
import { sparkline } from './sparkline.js';

// The tiles per platform. `level`: a counter (followers), shown as it is now with its change over
// the last 24 hours. `flow`: activity per day (views...), shown for yesterday against the day before.
export const KPIS = {
  facebook: [
    { key: 'followers_count', label: 'Followers', kind: 'level' },
    { key: 'page_media_view', label: 'Views', kind: 'flow' },
    { key: 'page_total_media_view_unique', label: 'Viewers', kind: 'flow' },
    { key: 'page_post_engagements', label: 'Post engagements', kind: 'flow' },
  ],
  instagram: [
    { key: 'followers_count', label: 'Followers', kind: 'level' },
    { key: 'views', label: 'Views', kind: 'flow' },
    { key: 'reach', label: 'Reach', kind: 'flow' },
    { key: 'total_interactions', label: 'Interactions', kind: 'flow' },
  ],
};
const DAYS = 30;
const HOURS = 24;
export const COLLECTING = 'Collecting data \u2013 back in about an hour';
const DAY_MS = 86400000;

export function mountKpiTiles(container, store, database) {
  const picker = h('select', { id: 'insights-account', onChange: () => { selectedId = picker.value; load(); } });
  const pickerField = h('div', { class: 'field picker' }, h('label', { for: 'insights-account' }, 'Account'), picker);
  const heading = h('div', { class: 'insights-account' });
  const syncing = h('p', { class: 'hint syncing', role: 'status' });
  const tiles = h('div', { class: 'tiles' });
  container.replaceChildren(h('p', { class: 'hint' }, 'Loading your accounts\u2026'));
  const charts = [];
  let selectedId = null;
  let shownKey = null;
  let latestLoad = 0;

  function selected() {
    return store.get().accounts.find((account) => account.id === selectedId);
  }

  // Reloads when the chosen account, the accounts or the stored data (after a sync) change.
  store.subscribe((state) => {
    if (!state.accountsLoaded) return;
    if (!state.accounts.some((account) => account.id === selectedId)) selectedId = state.accounts[0]?.id ?? null;
    syncing.textContent = state.syncing ? 'Syncing\u2026 the newest numbers appear in a moment.' : '';
    const key = `${selectedId}|${state.dataVersion}|${state.accounts.map((account) => account.id).join()}`;
    if (key !== shownKey) {
      shownKey = key;
      renderPicker(state.accounts);
      load();
    }
  });

  function renderPicker(accounts) {
    picker.replaceChildren(...accounts.map((account) => h('option', { value: account.id }, accountLabel(account))));
    picker.value = selectedId ?? '';
    pickerField.hidden = accounts.length < 2;
  }

  async function load() {
    const account = selected();
    const loadId = ++latestLoad;
    if (!account) {
      destroyCharts();
      container.replaceChildren(h('p', { class: 'hint' }, 'No account is connected yet. ',
        h('a', { href: '#/settings' }, 'Connect Facebook or Instagram in Settings'), '.'));
      container.dataset.loaded = 'true';
      return;
    }
    let daily;
    let hourly;
    try {
      const which = { platform: account.platform, accountId: account.account_id };
      [daily, hourly] = await Promise.all([
        database.insights({ ...which, period: 'day', days: DAYS }),
        database.insights({ ...which, period: 'hour', hours: HOURS }),
      ]);
    } catch (error) {
      if (loadId !== latestLoad) return;
      destroyCharts();
      container.replaceChildren(pickerField, h('p', { class: 'error-text' }, `Insights could not be loaded: ${error.message}`));
      return;
    }
    if (loadId !== latestLoad) return;
    destroyCharts();
    const kinds = { ...daily.kinds, ...hourly.kinds };
    const built = KPIS[account.platform].map((kpi) => tile(kpi, account.platform, daily.series, hourly.series, kinds[kpi.key]));
    tiles.replaceChildren(...built.map((item) => item.element));
    renderHeading(account);
    container.replaceChildren(pickerField, heading, syncing, tiles);
    built.forEach((item) => item.draw && charts.push(item.draw()));
    container.dataset.loaded = 'true';
    container.dataset.account = account.account_id;
  }

  function renderHeading(account) {
    heading.replaceChildren(...present([accountAvatar(account, 40),
      h('div', { class: 'account-text' },
        h('strong', { class: 'account-name' }, account.account_name || account.username),
        h('span', { class: 'username' }, `${PLATFORM_LABELS[account.platform]}${account.username ? ` \u00b7 @${account.username}` : ''}`),
        h('span', { class: 'last-sync' }, account.last_synced_at ? ['Updated ', relativeTime(account.last_synced_at)] : 'Not synced yet')),
      account.status === 'needs_reauth' && h('p', { class: 'needs-reconnecting' },
        h('strong', {}, 'Needs reconnecting: '), 'Facebook needs you to sign in again before these numbers can update. ',
        h('a', { href: '#/settings' }, 'Reconnect in Settings'), '.')]));
  }

  function destroyCharts() {
    charts.splice(0).forEach((chart) => chart.destroy());
  }
}

// -> {element, draw?}. `metricKind` is the RPC's kind of the metric: a unique one (reach) counts
// each person once a day, so it has no hourly change and its tile no "last hour".
function tile({ key, label, kind }, platform, daySeries, hourSeries, metricKind) {
  const figures = kind === 'level' ? levelFigures(key, hourSeries) : flowFigures(key, daySeries, hourSeries);
  const titleId = `kpi-${key}`;
  const lastHour = newest(hourSeries.map((row) => row.derived?.[`${key}_delta`]));
  const chart = figures?.points.length > 1 && sparkline({ title: `${label}, ${figures.trendTitle}`, points: figures.points, platform });
  const element = h('article', { class: `tile platform-${platform}`, 'data-metric': key, 'aria-labelledby': titleId },
    h('h3', { id: titleId }, label),
    figures
      ? [h('p', { class: 'kpi-value' }, h('span', { class: 'kpi-number' }, formatNumber(figures.value)), ' ',
        h('span', { class: 'kpi-period' }, figures.period)),
      change(figures.change)]
      : h('p', { class: 'collecting' }, COLLECTING),
    chart && chart.element,
    figures && metricKind !== 'unique' && h('p', { class: 'last-hour' }, 'Last hour: ',
      lastHour === undefined ? h('span', { class: 'collecting' }, COLLECTING) : signed(lastHour)));
  return { element, draw: chart && chart.draw };
}

// A counter: its newest value, and its change over the hours shown.
function levelFigures(key, hourSeries) {
  const points = hourSeries.filter((row) => typeof row.metrics?.[key] === 'number')
    .map((row) => ({ label: hourLabel(row.window_start), value: row.metrics[key] }));
  if (!points.length) return null;
  const difference = points.at(-1).value - points[0].value;
  return {
    value: points.at(-1).value,
    period: 'now',
    change: points.length > 1 && { difference, words: `in ${HOURS} hours` },
    points,
    trendTitle: `last ${HOURS} hours`,
  };
}

// Activity per day: yesterday (the newest complete day) against the day before, with the daily
// trend. An account with hourly rows only shows the sum of its last hours instead.
function flowFigures(key, daySeries, hourSeries) {
  const now = Date.now();
  const days = daySeries.filter((row) => typeof row.metrics?.[key] === 'number' && Date.parse(row.window_end) <= now);
  if (days.length) {
    const [latest, before] = [days.at(-1), days.at(-2)];
    const consecutive = before && Date.parse(latest.window_start) - Date.parse(before.window_start) === DAY_MS;
    return {
      value: latest.metrics[key],
      period: isYesterday(latest.window_start, now) ? 'yesterday' : `on ${formatDate(latest.window_start)}`,
      change: consecutive && { difference: latest.metrics[key] - before.metrics[key], base: before.metrics[key], words: 'vs the day before' },
      points: days.map((row) => ({ label: formatDate(row.window_start), value: row.metrics[key] })),
      trendTitle: `per day, last ${DAYS} days`,
    };
  }
  const hours = hourSeries.filter((row) => typeof row.derived?.[`${key}_delta`] === 'number');
  if (!hours.length) return null;
  return {
    value: hours.reduce((total, row) => total + row.derived[`${key}_delta`], 0),
    period: `in the last ${HOURS} hours`,
    change: null,
    points: hours.map((row) => ({ label: hourLabel(row.window_start), value: row.derived[`${key}_delta`] })),
    trendTitle: `per hour, last ${HOURS} hours`,
  };
}

// "Up 12% vs the day before" with an arrow; the words carry the meaning, the colour repeats it.
function change(figures) {
  if (!figures) return null;
  const { difference, base, words } = figures;
  const direction = difference > 0 ? 'up' : difference < 0 ? 'down' : 'same';
  const amount = base ? `${Math.abs(Math.round((difference / base) * 100))}%` : formatNumber(Math.abs(difference));
  const text = direction === 'same' ? `No change ${words}` : `${direction === 'up' ? 'Up' : 'Down'} ${amount} ${words}`;
  const arrow = { up: '\u25b2', down: '\u25bc', same: '\u25b6' }[direction];
  return h('p', { class: `change change-${direction}` }, h('span', { 'aria-hidden': 'true' }, `${arrow} `), text);
}

function newest(values) {
  return values.filter((value) => typeof value === 'number').at(-1);
}

function signed(value) {
  return `${value > 0 ? '+' : ''}${formatNumber(value)}`;
}

function hourLabel(iso) {
  return new Intl.DateTimeFormat(undefined, { hour: 'numeric', day: 'numeric', month: 'short' }).format(new Date(iso));
}

function isYesterday(iso, now) {
  const today = new Date(now);
  today.setUTCHours(0, 0, 0, 0);
  return today.getTime() - Date.parse(iso) === DAY_MS;
}
