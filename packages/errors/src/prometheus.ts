/** One sample line of a metric family. */
export interface PrometheusSample {
  /** Label name → value; values are escaped on output. */
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A metric family for {@link formatPrometheus}. */
export interface PrometheusFamily {
  /** Metric name, `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
  readonly name: string;
  /** HELP text; backslashes and newlines are escaped. */
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'summary' | 'histogram' | 'untyped';
  readonly samples: readonly PrometheusSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Escapes a label value for the Prometheus text format: `\` → `\\`, `"` → `\"`, newline → `\n`.
 *
 * @example
 * ```ts
 * escapeLabelValue('a"b'); // 'a\\"b'
 * ```
 */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/**
 * Renders one metric family in the Prometheus text exposition format (0.0.4), with HELP and
 * TYPE lines and escaped label values.
 *
 * @throws {TypeError} when the metric or a label name is not a valid Prometheus name.
 * @example
 * ```ts
 * formatPrometheus({ name: 'jobs_total', help: 'Jobs.', type: 'counter', samples: [{ labels: { queue: 'a' }, value: 3 }] });
 * ```
 */
export function formatPrometheus(family: PrometheusFamily): string {
  if (!METRIC_NAME.test(family.name)) throw new TypeError(`Invalid Prometheus metric name \`${family.name}\``);
  const lines = [`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`];
  for (const sample of family.samples) {
    const labels = Object.entries(sample.labels).map(([name, value]) => {
      if (!LABEL_NAME.test(name) || name.startsWith('__'))
        throw new TypeError(`Invalid Prometheus label name \`${name}\``);
      return `${name}="${escapeLabelValue(value)}"`;
    });
    const labelText = labels.length > 0 ? `{${labels.join(',')}}` : '';
    lines.push(`${family.name}${labelText} ${formatValue(sample.value)}`);
  }
  return `${lines.join('\n')}\n`;
}
