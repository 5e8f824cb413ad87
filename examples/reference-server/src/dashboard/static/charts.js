// The charts: uPlot (served by this server as /dashboard/uplot.js), coloured from the theme tokens.
import { $, el } from './dom.js';

let history;
let endpointUrls = new Map();
const charts = new Map();
const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
const PALETTE = ['--series-1', '--series-2', '--series-3', '--series-4', '--series-5', '--series-6'];

/** Counts are whole: tick steps of 1, 2, 5 × 10^n (never 0.5 of an error). */
const WHOLE_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6];
/** Rates, counts and latencies start at 0, so a step from 1 to 3 does not fill the chart. */
const fromZero = (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1];
/**
 * uPlot options. `extra.unit` labels the y axis; `extra.whole` keeps its ticks on whole numbers;
 * `extra.yAxis` / `extra.scales` override the defaults (the breaker chart names its levels).
 */
function chartOptions(container, series, extra = {}) {
  const axis = { stroke: css('--muted'), grid: { stroke: css('--grid'), width: 1 }, ticks: { stroke: css('--grid') } };
  const unit = extra.unit ? { label: extra.unit, labelSize: 18, labelFont: '12px system-ui, sans-serif' } : {};
  return {
    width: Math.max(200, container.clientWidth),
    height: 180,
    series: [{}, ...series],
    axes: [
      { ...axis },
      { ...axis, size: 48, ...unit, ...(extra.whole ? { incrs: WHOLE_STEPS } : {}), ...(extra.yAxis || {}) },
    ],
    scales: { x: { time: true }, y: { range: fromZero }, ...(extra.scales || {}) },
    // Room on the right for the last time label ("12:00am" centred on the window's end).
    padding: [null, 36, null, null],
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
  };
}
function line(label, colorVar, extra = {}) {
  return { label, stroke: css(colorVar), width: 2, points: { show: false }, spanGaps: false, ...extra };
}
function draw(id, series, data, extra, note) {
  const card = $(id);
  const container = card.querySelector('.chart');
  card.querySelector('.legend-note').textContent = note || '';
  const key = series.map((s) => s.label).join('|');
  const existing = charts.get(id);
  if (existing && existing.key === key) {
    existing.plot.setData(data);
    return;
  }
  existing?.plot.destroy();
  container.replaceChildren();
  const plot = new window.uPlot(chartOptions(container, series, extra), data, container);
  charts.set(id, { key, plot });
}
/** The series a chart plots, as uPlot holds them (`[timestamps, ...series]`), or null before it is drawn. */
export const chartData = (id) => charts.get(id)?.plot.data ?? null;
/**
 * A chart's axes as drawn: the y unit label, scale bottom and tick values, and how many CSS px
 * the x axis's last time label reaches past the canvas (uPlot 1.6 keeps ticks and labels in
 * `_splits` / `_values`).
 */
export function chartAxis(id) {
  const plot = charts.get(id)?.plot;
  if (!plot) return null;
  const x = plot.axes[0];
  let xOverflow = 0;
  const splits = x._splits ?? [];
  if (splits.length > 0) {
    const last = splits.length - 1;
    plot.ctx.font = Array.isArray(x.font) ? x.font[0] : x.font;
    const width = Math.max(
      ...String(x._values[last])
        .split('\n')
        .map((line) => plot.ctx.measureText(line).width),
    );
    const right = plot.valToPos(splits[last], 'x', true) + width / 2;
    xOverflow = Math.max(0, (right - plot.ctx.canvas.width) / devicePixelRatio);
  }
  return { unit: plot.axes[1].label ?? null, min: plot.scales.y.min, ticks: plot.axes[1]._splits ?? [], xOverflow };
}
export function redrawCharts() {
  for (const { plot } of charts.values()) plot.destroy();
  charts.clear();
  if (history) renderCharts(history);
}
new ResizeObserver(() => {
  for (const [id, { plot }] of charts) {
    const width = $(id).querySelector('.chart').clientWidth;
    if (width > 0 && Math.abs(width - plot.width) > 2) plot.setSize({ width, height: 180 });
  }
}).observe($('charts'));

const stepped = () => ({ paths: window.uPlot.paths.stepped({ align: 1 }) });
const BREAKER_NAMES = ['closed', 'half-open', 'open'];
export function renderCharts(h, urls = endpointUrls) {
  history = h;
  endpointUrls = urls;
  const t = h.timestamps;
  const d = h.deliveries;
  const perSecond = { unit: 'per second' };
  draw(
    'chart-deliveries',
    // Drawn in this order: where all are 0 the baseline is the green of succeeded, not failure red.
    [line('failed (DLQ)', '--series-bad'), line('retried', '--series-warn'), line('succeeded', '--series-ok')],
    [t, d.failed, d.retried, d.succeeded],
    perSecond,
    `${h.totals.succeeded} succeeded · ${h.totals.retried} retried · ${h.totals.failed} dead-lettered`,
  );
  draw(
    'chart-publishes',
    [line('published', '--series-1')],
    [t, h.publishes],
    perSecond,
    `${h.totals.publishes} events accepted`,
  );
  // The most frequent codes (the API sorts them); the note says how many more there are.
  const codes = h.errors.slice(0, PALETTE.length);
  const hiddenCodes = h.errors.length - codes.length;
  draw(
    'chart-errors',
    codes.length ? codes.map((e, i) => line(e.code, PALETTE[i])) : [line('errors', '--series-6')],
    [t, ...(codes.length ? codes.map((e) => e.counts) : [t.map(() => 0)])],
    { unit: `errors per ${h.bucketMs / 1000} s`, whole: true },
    codes.length
      ? `${h.totals.errors} errors answered${hiddenCodes > 0 ? ` · the ${codes.length} most frequent of ${h.errors.length} codes drawn (see Error codes below)` : ''}`
      : 'No errors in this window.',
  );

  const select = $('route');
  const routes = h.latency.map((r) => r.route);
  const chosen = routes.includes(select.value) ? select.value : routes[0];
  const options = [...select.options].map((o) => o.value);
  if (options.length !== Math.max(1, routes.length) || options.join('|') !== routes.join('|')) {
    select.replaceChildren(
      ...(routes.length
        ? routes.map((r) => el('option', { value: r, text: r }))
        : [el('option', { value: '', text: 'no requests yet' })]),
    );
  }
  select.disabled = routes.length === 0;
  if (chosen) select.value = chosen;
  const route = h.latency.find((r) => r.route === chosen);
  if (route) {
    const ok = route.threshold.status === 'ok';
    const series = [line('p50 ms', '--series-1'), line('p90 ms', '--series-2')];
    const data = [t, route.p50Series, route.p90Series];
    if (ok) {
      series.push(line('SLO threshold', '--series-bad', { dash: [6, 4], width: 1.5 }));
      data.push(t.map(() => route.threshold.thresholdMs));
    }
    draw(
      'chart-latency',
      series,
      data,
      { unit: 'ms' },
      `${route.samples} requests · p50 ${route.p50} ms · p90 ${route.p90} ms · threshold ${ok ? `${route.threshold.thresholdMs} ms` : `not enough data yet (${route.threshold.samples} of ${route.threshold.minSamples} samples)`}`,
    );
  } else {
    draw(
      'chart-latency',
      [line('p50 ms', '--series-1')],
      [t, t.map(() => null)],
      { unit: 'ms' },
      'No requests in this window.',
    );
  }

  // Open now first, then the worst seen in the window: an open breaker is never the one left out.
  const worst = (b) => Math.max(0, ...b.levels);
  const ranked = h.breakers
    .map((b, i) => ({ b, i }))
    .sort((x, y) => y.b.current - x.b.current || worst(y.b) - worst(x.b) || x.i - y.i)
    .map(({ b }) => b);
  const breakers = ranked.slice(0, PALETTE.length);
  const hidden = ranked.slice(PALETTE.length);
  const hiddenOpen = hidden.filter((b) => b.current === 2).length;
  draw(
    'chart-breakers',
    breakers.length
      ? breakers.map((b, i) => line(endpointUrls.get(b.endpointId) || b.endpointId, PALETTE[i], stepped()))
      : [line('no breaker yet', '--series-6', stepped())],
    [t, ...(breakers.length ? breakers.map((b) => b.levels) : [t.map(() => 0)])],
    {
      scales: { y: { range: [0, 2.2] } },
      yAxis: { size: 72, splits: () => [0, 1, 2], values: (_u, splits) => splits.map((v) => BREAKER_NAMES[v] ?? '') },
    },
    breakers.length
      ? `Worst state per bucket; endpoints whose breaker never tripped are closed and not listed.${hidden.length > 0 ? ` ${hidden.length} more endpoint${hidden.length === 1 ? '' : 's'} not drawn (${hiddenOpen} open now).` : ''}`
      : 'No breaker has tripped since the server started: all closed.',
  );
  draw(
    'chart-dlq',
    [line('DLQ depth', '--series-bad', stepped())],
    [t, h.dlqDepth],
    { unit: 'deliveries', whole: true },
    `Now ${h.dlqDepth.at(-1) ?? 'unknown'}`,
  );
}
$('route').addEventListener('change', () => history && renderCharts(history));
