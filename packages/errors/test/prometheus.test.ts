import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { escapeLabelValue, formatPrometheus } from '../src/index.js';

describe('formatPrometheus', () => {
  it('escapes backslashes, quotes and newlines in label values so parsers read them back', () => {
    const nasty = 'a\\b"c\nd';
    const text = formatPrometheus({
      name: 'demo_total',
      help: 'Help with \\ and\nnewline.',
      type: 'counter',
      samples: [{ labels: { route: nasty }, value: 1 }],
    });
    expect(text).toContain('demo_total{route="a\\\\b\\"c\\nd"} 1');
    expect(text).toContain('# HELP demo_total Help with \\\\ and\\nnewline.');
    const [family] = parsePrometheusTextFormat(text);
    expect(family?.metrics[0]?.labels?.route).toBe(nasty);
  });

  it('formats special values and label-less samples', () => {
    const text = formatPrometheus({
      name: 'g',
      help: 'h',
      type: 'gauge',
      samples: [
        { labels: {}, value: Number.NaN },
        { labels: { k: 'p' }, value: Number.POSITIVE_INFINITY },
        { labels: { k: 'n' }, value: Number.NEGATIVE_INFINITY },
      ],
    });
    expect(text.split('\n')).toEqual(['# HELP g h', '# TYPE g gauge', 'g NaN', 'g{k="p"} +Inf', 'g{k="n"} -Inf', '']);
  });

  it('rejects invalid metric and label names', () => {
    expect(() => formatPrometheus({ name: '1bad', help: '', type: 'counter', samples: [] })).toThrow('metric name');
    expect(() =>
      formatPrometheus({
        name: 'ok',
        help: '',
        type: 'counter',
        samples: [{ labels: { 'bad-label': 'x' }, value: 1 }],
      }),
    ).toThrow('label name');
    expect(() =>
      formatPrometheus({ name: 'ok', help: '', type: 'counter', samples: [{ labels: { __reserved: 'x' }, value: 1 }] }),
    ).toThrow('label name');
  });

  it('escapeLabelValue leaves plain text alone', () => {
    expect(escapeLabelValue('not_found')).toBe('not_found');
  });
});
