import { parseSloExport, type SloExport } from './slo-export.js';

/** One rejected input line. */
export interface LatencyLineError {
  /** 1-based line number. */
  readonly line: number;
  /** The line as read. */
  readonly text: string;
  /** Why it was rejected. */
  readonly message: string;
}

/** What {@link parseLatencies} returns. */
export interface ParsedLatencies {
  /** `lines` (one number a line), `csv` (a `duration_ms` column) or `json` (a recorder export). */
  readonly format: 'lines' | 'csv' | 'json';
  /** The durations, in input order (empty for `json`). */
  readonly samples: number[];
  /** The export, for `json`. */
  readonly export?: SloExport;
  /** Every bad line; a non-empty list means the input must not be used. */
  readonly errors: LatencyLineError[];
}

const NUMBER = /^\+?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function splitCsv(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields.map((f) => f.trim());
}

function parseDuration(raw: string): number | string {
  const value = Number(raw);
  if (!NUMBER.test(raw) || !Number.isFinite(value)) return `not a finite duration ≥ 0: ${JSON.stringify(raw)}`;
  return value;
}

/**
 * Parses latency input for the `bulwark-slo` CLI: one number a line, a CSV with a
 * `duration_ms` column, or a recorder JSON export. Blank lines and `#` comments are skipped;
 * every other bad line is reported with its 1-based line number, never silently dropped.
 *
 * @param text - The whole input.
 * @example
 * ```ts
 * const { samples, errors } = parseLatencies('12\n15.5\nabc\n');
 * // errors: [{ line: 3, text: 'abc', message: 'not a finite duration ≥ 0: "abc"' }]
 * ```
 */
export function parseLatencies(text: string): ParsedLatencies {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      return { format: 'json', samples: [], export: parseSloExport(JSON.parse(text)), errors: [] };
    } catch (error) {
      const message = error instanceof SyntaxError ? `invalid JSON: ${error.message}` : (error as Error).message;
      return { format: 'json', samples: [], errors: [{ line: 1, text: '', message }] };
    }
  }
  const lines = text.split(/\r?\n/);
  const samples: number[] = [];
  const errors: LatencyLineError[] = [];
  let column = -1;
  let format: 'lines' | 'csv' = 'lines';
  let first = true;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (first) {
      first = false;
      if (/[a-zA-Z_]/.test(line) && !NUMBER.test(line)) {
        format = 'csv';
        column = splitCsv(line).indexOf('duration_ms');
        if (column < 0) errors.push({ line: i + 1, text: raw, message: 'CSV header has no `duration_ms` column' });
        return;
      }
    }
    let cell = line;
    if (format === 'csv') {
      if (column < 0) return;
      const fields = splitCsv(line);
      if (column >= fields.length) {
        errors.push({ line: i + 1, text: raw, message: `missing the duration_ms column (#${column + 1})` });
        return;
      }
      cell = fields[column] as string;
    }
    const value = parseDuration(cell);
    if (typeof value === 'string') errors.push({ line: i + 1, text: raw, message: value });
    else samples.push(value);
  });
  return { format, samples, errors };
}
