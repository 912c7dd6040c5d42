// A small trend line in the platform's colour, titled, with a text equivalent: the canvas is an
// image whose name says the range, the lowest, the highest and the latest value.

import { formatNumber, h } from '../dom.js';

export const PLATFORM_COLOURS = { facebook: '#1877f2', instagram: '#c13584' };

// points: [{label, value}], oldest first. -> {element, draw}: draw once the element is attached
// (Chart.js sizes a chart from its container); draw returns the chart, to destroy it later.
export function sparkline({ title, points, platform, unit }) {
  const values = points.map((point) => point.value);
  const lowest = points.reduce((low, point) => (point.value < low.value ? point : low), points[0]);
  const highest = points.reduce((high, point) => (point.value > high.value ? point : high), points[0]);
  const summary = `${title}, ${points[0].label} to ${points.at(-1).label}: lowest ${formatNumber(lowest.value)} (${lowest.label}), `
    + `highest ${formatNumber(highest.value)} (${highest.label}), latest ${formatNumber(values.at(-1))}${unit ? ` ${unit}` : ''}.`;
  const canvas = h('canvas', { role: 'img', 'aria-label': summary });
  const element = h('figure', { class: 'sparkline' }, h('figcaption', {}, title), h('div', { class: 'sparkline-canvas' }, canvas));

  function draw() {
    const colour = PLATFORM_COLOURS[platform];
    return new window.Chart(canvas, {
      type: 'line',
      data: {
        labels: points.map((point) => point.label),
        datasets: [{ data: values, borderColor: colour, backgroundColor: `${colour}22`, fill: true, borderWidth: 2, pointRadius: 0, tension: 0.3 }],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        events: [],
        plugins: { legend: { display: false }, tooltip: { enabled: false } },
        scales: { x: { display: false }, y: { display: false, beginAtZero: false } },
      },
    });
  }

  return { element, draw };
}
