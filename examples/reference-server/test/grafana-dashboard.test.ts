import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from './helpers.js';

interface Target {
  readonly expr?: string;
  readonly refId?: string;
  readonly datasource?: { type?: string; uid?: string };
}

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: { type?: string; uid?: string };
  readonly targets?: readonly Target[];
  readonly gridPos?: { h: number; w: number; x: number; y: number };
}

const dashboard = JSON.parse(
  readFileSync(new URL('../../../docs/grafana/bulwark-dashboard.json', import.meta.url), 'utf8'),
) as {
  schemaVersion: number;
  uid: string;
  title: string;
  __inputs: Array<{ name: string; type: string; pluginId: string }>;
  panels: Panel[];
};

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's datasource input placeholder, not a JS template.
const DS_UID = '${DS_PROMETHEUS}';

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'and',
  'or',
  'unless',
]);

/** Metric names referenced by a PromQL expression (functions, labels, strings and ranges removed). */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.$])([A-Za-z_:][\w:]*)(\s*\()?/g)) {
    const name = match[1] as string;
    if (match[2] === undefined && !PROMQL_WORDS.has(name)) names.add(name);
  }
  return [...names];
}

/** Every series name the exposition can contain (histogram and summary series included). */
function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const type = /^# TYPE (\S+) (\w+)/.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      names.add(name);
      if (kind === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
      if (kind === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
    } else if (line && !line.startsWith('#')) {
      names.add(line.split(/[{\s]/, 1)[0] as string);
    }
  }
  return names;
}

describe('docs/grafana/bulwark-dashboard.json', () => {
  it('is a schemaVersion 39 dashboard with a DS_PROMETHEUS datasource input', () => {
    expect(dashboard.schemaVersion).toBe(39);
    expect(dashboard.uid).toBeTruthy();
    expect(dashboard.__inputs).toContainEqual(
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
    );
    expect(dashboard.panels.length).toBeGreaterThan(0);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
  });

  it('gives every panel the Prometheus datasource and at least one PromQL target', () => {
    for (const panel of dashboard.panels) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: DS_UID });
      expect(panel.gridPos, panel.title).toBeDefined();
      expect(panel.targets?.length ?? 0, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.expr?.trim(), panel.title).toBeTruthy();
        expect(target.refId, panel.title).toBeTruthy();
        expect(target.datasource?.uid, panel.title).toBe(DS_UID);
      }
    }
  });

  it('extracts metric names from PromQL', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket{route=~"/a.*"}[$__rate_interval])))',
      ),
    ).toEqual(['http_request_duration_seconds_bucket']);
    expect(metricNames('sum(rate(a_total[5m])) / clamp_min(sum(rate(b_total{x="y"}[5m])), 1e-9)')).toEqual([
      'a_total',
      'b_total',
    ]);
  });

  it('only queries metrics the server exports on /metrics', async () => {
    const { request, services } = buildTestApp();
    await request('/health/liveness');
    await request('/admin/errors', { admin: true });
    await request('/admin/errors');
    await request('/no-such-route');
    await services.delivery?.dispatcher.stats();
    const response = await request('/metrics', { admin: true });
    expect(response.status).toBe(200);
    const exported = exportedNames(await response.text());
    for (const name of ['http_requests_total', 'bulwark_errors_total', 'bulwark_events_total', 'bulwark_gauge']) {
      expect(exported).toContain(name);
    }

    const referenced = new Set<string>();
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) for (const name of metricNames(target.expr ?? '')) referenced.add(name);
    }
    expect(referenced.size).toBeGreaterThan(5);
    const unknown = [...referenced].filter((name) => !exported.has(name));
    expect(unknown).toEqual([]);
    for (const closer of services.closers) await closer.close();
  });
});
