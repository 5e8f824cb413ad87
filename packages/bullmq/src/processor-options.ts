import type { BreakerRegistry, CircuitBreakerOptions } from '@bulwark/breaker';
import { assertNumberOption, type Clock } from '@bulwark/core';
import { assertMethods } from './internal/assert-methods.js';
import type { ClassifyOptions } from './job-error-classification.js';
import type { JobMetrics } from './job-metrics.js';

/** The job fields the processor wrapper reads (a BullMQ `Job`). */
export interface ProcessedJob {
  /** Job id (BullMQ assigns one to every job). */
  readonly id?: string | undefined;
  /** Job name. */
  readonly name: string;
  /** Name of the queue the job belongs to. */
  readonly queueName: string;
  /** Failed attempts so far (BullMQ counts them before the current one runs). */
  readonly attemptsMade: number;
  /** The job's options: `attempts` (default 1). */
  readonly opts: { readonly attempts?: number | undefined };
  /** Moves the active job to delayed until `timestamp` (epoch ms); BullMQ's own method. */
  moveToDelayed(timestamp: number, token?: string): Promise<void>;
}

/** How the breaker of a job's dependency is named: by its queue, its job name, or your function. */
export type BreakerNaming<J extends ProcessedJob = ProcessedJob> = 'queue' | 'job' | ((job: J) => string);

/** Options of {@link createProcessor}. Validated once. */
export interface ProcessorOptions<J extends ProcessedJob = ProcessedJob> extends ClassifyOptions {
  /**
   * Where breakers come from; share one with `@bulwark/health`'s breaker check or your
   * `/health/dependencies`. Default: a registry of this processor's own.
   */
  readonly breakers?: BreakerRegistry | undefined;
  /**
   * Options of each breaker, applied when the registry creates it (first use). Unless you set
   * them, `isFailure` counts only retryable failures (a `validation_failed` job says nothing
   * about the dependency) and `isIgnored` skips BullMQ control-flow errors and load shedding.
   */
  readonly breaker?: Omit<CircuitBreakerOptions, 'name'> | undefined;
  /** Which breaker guards a job. Default `'queue'` (one dependency per queue). */
  readonly breakerName?: BreakerNaming<J> | undefined;
  /**
   * Shortest wait before a job rejected by an open breaker is fetched again. The job is moved
   * to delayed for `max(retryAfterMs, this)` without spending an attempt. Default `1_000`.
   */
  readonly rejectedDelayMs?: number | undefined;
  /**
   * Longest Retry-After / rate-limit hint honoured; a longer one fails the job now (recorded as
   * `failed`, as the backoff strategy returns `-1` for it). Default `86_400_000` (a day).
   */
  readonly maxRetryAfterMs?: number | undefined;
  /** Per-outcome counters and durations (see {@link JobMetrics}). Default: none. */
  readonly metrics?: JobMetrics | undefined;
  /** Time source for durations, HTTP-date hints and delayed timestamps. Default: wall clock. */
  readonly clock?: Clock | undefined;
}

/** @internal */
export interface ResolvedProcessorOptions {
  readonly rejectedDelayMs: number;
  readonly maxRetryAfterMs: number;
}

/**
 * Validates the numeric and function options once, naming the first bad one.
 * @throws {TypeError | RangeError}
 * @internal
 */
export function resolveProcessorOptions(options: ProcessorOptions<never>): ResolvedProcessorOptions {
  const rejectedDelayMs = options.rejectedDelayMs ?? 1_000;
  assertNumberOption('rejectedDelayMs', rejectedDelayMs, { min: 0, max: 2_147_483_647 });
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 86_400_000;
  assertNumberOption('maxRetryAfterMs', maxRetryAfterMs, { min: 0, max: 2_147_483_647 });
  const naming = options.breakerName ?? 'queue';
  if (naming !== 'queue' && naming !== 'job' && typeof naming !== 'function') {
    throw new TypeError(`Expected \`breakerName\` to be 'queue', 'job' or a function, got ${String(naming)}`);
  }
  if (options.classify !== undefined && typeof options.classify !== 'function') {
    throw new TypeError(`Expected \`classify\` to be a function, got ${typeof options.classify}`);
  }
  if (options.retryUnknownErrors !== undefined && typeof options.retryUnknownErrors !== 'boolean') {
    throw new TypeError(`Expected \`retryUnknownErrors\` to be a boolean, got ${typeof options.retryUnknownErrors}`);
  }
  assertMethods('clock', options.clock, ['now']);
  assertMethods('metrics', options.metrics, ['increment', 'observe', 'gauge']);
  assertMethods('breakers', options.breakers, ['get']);
  return Object.freeze({ rejectedDelayMs, maxRetryAfterMs });
}
