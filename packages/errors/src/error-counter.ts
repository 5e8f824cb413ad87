import { type Clock, systemClock } from '@bulwark/core';
import { isBulwarkError } from './bulwark-error.js';
import { type ErrorRegistry, errorRegistry } from './error-registry.js';
import { formatPrometheus } from './prometheus.js';

/** One code's tally in a {@link ErrorCounterSnapshot}. */
export interface ErrorCount {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly retryable: boolean;
  readonly count: number;
  /** Epoch ms of the first occurrence. */
  readonly firstSeenMs: number;
  /** Epoch ms of the latest occurrence. */
  readonly lastSeenMs: number;
}

/** The JSON an `/admin/errors` endpoint returns. */
export interface ErrorCounterSnapshot {
  /** Sum of all counts. */
  readonly total: number;
  /** Epoch ms when the snapshot was taken. */
  readonly takenAtMs: number;
  /** Per-code counts, most frequent first. */
  readonly codes: readonly ErrorCount[];
}

/** What the forwarding hook receives for each recorded error. */
export interface ErrorRecordedEvent {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;
}

/** Options of {@link createErrorCounter}. */
export interface ErrorCounterOptions {
  /** Time source for first/last seen (default: wall clock). */
  clock?: Clock | undefined;
  /** Where known codes are looked up (default: the process-wide registry). */
  registry?: ErrorRegistry | undefined;
  /**
   * Called for every recorded error, e.g. to increment a prom-client counter or an
   * OpenTelemetry instrument instead of (or as well as) using {@link ErrorCounter.toPrometheus}.
   * A hook that throws is ignored.
   */
  onRecord?: ((event: ErrorRecordedEvent) => void) | undefined;
  /** Metric name of the Prometheus export (default `bulwark_errors_total`). */
  metricName?: string | undefined;
}

/** Counts errors by code. Created by {@link createErrorCounter}. */
export interface ErrorCounter {
  /**
   * Counts one error. BulwarkErrors count under their code when the code is registered,
   * otherwise as `unknown_error`; any other value counts as `internal_error`.
   * @returns The code that was counted.
   */
  record(error: unknown): string;
  /** Current counts, ready to serve as JSON. */
  snapshot(): ErrorCounterSnapshot;
  /** Prometheus text exposition (format 0.0.4) of the counts. */
  toPrometheus(): string;
  /** Forgets all counts. */
  reset(): void;
}

interface Tally {
  status: number;
  title: string;
  retryable: boolean;
  count: number;
  firstSeenMs: number;
  lastSeenMs: number;
}

function resolveCode(error: unknown, registry: ErrorRegistry): string {
  if (!isBulwarkError(error)) return 'internal_error';
  return registry.get(error.code) ? error.code : 'unknown_error';
}

/**
 * Creates a per-code error counter with first/last-seen times, a JSON snapshot and a
 * Prometheus export. Label cardinality is bounded by the registry: codes nobody defined
 * are folded into `unknown_error`.
 *
 * @example
 * ```ts
 * const errors = createErrorCounter({ onRecord: ({ code }) => promCounter.inc({ code }) });
 * errors.record(err('not_found'));
 * app.get('/admin/errors', () => Response.json(errors.snapshot()));
 * ```
 */
export function createErrorCounter(options: ErrorCounterOptions = {}): ErrorCounter {
  const clock = options.clock ?? systemClock;
  const registry = options.registry ?? errorRegistry();
  const metricName = options.metricName ?? 'bulwark_errors_total';
  const tallies = new Map<string, Tally>();

  function record(error: unknown): string {
    const code = resolveCode(error, registry);
    const now = clock.now();
    let tally = tallies.get(code);
    if (tally) {
      tally.count += 1;
      tally.lastSeenMs = now;
    } else {
      const definition = registry.get(code);
      tally = {
        status: definition?.status ?? 500,
        title: definition?.title ?? code,
        retryable: definition?.retryable ?? false,
        count: 1,
        firstSeenMs: now,
        lastSeenMs: now,
      };
      tallies.set(code, tally);
    }
    if (options.onRecord) {
      try {
        options.onRecord(Object.freeze({ code, status: tally.status, retryable: tally.retryable }));
      } catch {
        // A broken metrics hook must never turn error handling into a second failure.
      }
    }
    return code;
  }

  function snapshot(): ErrorCounterSnapshot {
    const codes = [...tallies.entries()]
      .map(([code, t]) => Object.freeze({ code, ...t }))
      .sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : 1));
    const total = codes.reduce((sum, c) => sum + c.count, 0);
    return Object.freeze({ total, takenAtMs: clock.now(), codes: Object.freeze(codes) });
  }

  return {
    record,
    snapshot,
    toPrometheus: () =>
      formatPrometheus({
        name: metricName,
        help: 'Errors recorded, by stable error code.',
        type: 'counter',
        samples: snapshot().codes.map((c) => ({ labels: { code: c.code, status: String(c.status) }, value: c.count })),
      }),
    reset: () => tallies.clear(),
  };
}
