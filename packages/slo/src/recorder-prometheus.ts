import { escapeLabelValue, formatPrometheus, type PrometheusSample } from '@bulwark/errors';
import type { SloRecorder } from './recorder.js';

/** Options of {@link SloRecorder.toPrometheus}. */
export interface PrometheusExportOptions {
  /** Summary quantiles. Default: `[0.5, 0.9, 0.99]`. */
  quantiles?: readonly number[] | undefined;
  /** Window of the latency summary. Default: 1 hour. */
  windowMs?: number | undefined;
  /** Metric name prefix. Default: `'slo'`. */
  prefix?: string | undefined;
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

/**
 * Renders a recorder as Prometheus text (format 0.0.4): a `<prefix>_latency_ms` summary per
 * route (quantiles from the sketches, `_sum`, `_count`), the `<prefix>_breach_ratio` gauge,
 * the `<prefix>_error_budget_remaining` gauge, the per-route monotonic counters
 * `<prefix>_requests_total`, `<prefix>_error_requests_total` and `<prefix>_slow_requests_total`
 * (sum them across instances for a fleet burn rate) and `<prefix>_invalid_samples_total`.
 */
export function formatRecorderPrometheus(view: SloRecorder, options: PrometheusExportOptions = {}): string {
  const quantiles = options.quantiles ?? [0.5, 0.9, 0.99];
  const windowMs = options.windowMs ?? 3_600_000;
  const prefix = options.prefix ?? 'slo';
  const summary: PrometheusSample[] = [];
  const tail: string[] = [];
  const ratios: PrometheusSample[] = [];
  const budgets: PrometheusSample[] = [];
  const requests: PrometheusSample[] = [];
  const errors: PrometheusSample[] = [];
  const slow: PrometheusSample[] = [];
  for (const route of view.routes()) {
    const counters = view.counters(route);
    requests.push({ labels: { route }, value: counters.requests });
    errors.push({ labels: { route }, value: counters.errors });
    slow.push({ labels: { route }, value: counters.slow });
    const sketch = view.sketch(route, windowMs);
    for (const q of quantiles) {
      summary.push({ labels: { route, quantile: String(q) }, value: sketch.quantile(q) ?? Number.NaN });
    }
    tail.push(`${prefix}_latency_ms_sum${labelText({ route })} ${sketch.sum}`);
    tail.push(`${prefix}_latency_ms_count${labelText({ route })} ${sketch.count}`);
    const thresholdMs = view.thresholdMs(route);
    if (thresholdMs !== undefined) {
      ratios.push({ labels: { route }, value: view.breachRatio(route, thresholdMs).lastN.ratio });
    }
    budgets.push({ labels: { route }, value: view.burnRate(route).budget.remaining });
  }
  const summaryText = formatPrometheus({
    name: `${prefix}_latency_ms`,
    help: `Request latency in ms over the last ${windowMs} ms (DDSketch quantiles).`,
    type: 'summary',
    samples: summary,
  });
  return [
    summaryText + (tail.length > 0 ? `${tail.join('\n')}\n` : ''),
    formatPrometheus({
      name: `${prefix}_breach_ratio`,
      help: 'Share of the last N requests slower than the route threshold.',
      type: 'gauge',
      samples: ratios,
    }),
    formatPrometheus({
      name: `${prefix}_error_budget_remaining`,
      help: 'Remaining error budget over the SLO period (1 = untouched, 0 = spent).',
      type: 'gauge',
      samples: budgets,
    }),
    formatPrometheus({
      name: `${prefix}_requests_total`,
      help: 'Requests recorded per route (monotonic; sum across instances).',
      type: 'counter',
      samples: requests,
    }),
    formatPrometheus({
      name: `${prefix}_error_requests_total`,
      help: 'Requests with outcome error per route (monotonic; bad = error + slow).',
      type: 'counter',
      samples: errors,
    }),
    formatPrometheus({
      name: `${prefix}_slow_requests_total`,
      help: 'Successful requests slower than the route threshold (monotonic; bad = error + slow).',
      type: 'counter',
      samples: slow,
    }),
    formatPrometheus({
      name: `${prefix}_invalid_samples_total`,
      help: 'Samples rejected as invalid_sample (NaN, negative or infinite durations, bad routes).',
      type: 'counter',
      samples: [{ labels: {}, value: view.invalidSamples }],
    }),
  ].join('');
}
