import { type Clock, systemClock } from '@bulwark/core';
import { BREAKER_LEVEL, type BreakerLevel, BucketRing } from './bucket-ring.js';
import { addLatency } from './latency-histogram.js';

/** Options of {@link createMetricsHistory}; validated once. */
export interface MetricsHistoryOptions {
  /** Time source. Default: the wall clock. */
  clock?: Clock | undefined;
  /** Width of a bucket in ms: 1 000 or 10 000 (default 10 000). */
  bucketMs?: 1_000 | 10_000 | undefined;
  /** How far back the history reaches (ms, multiple of `bucketMs`, at most 1 h; default 1 h). */
  retentionMs?: number | undefined;
  /** Routes with a latency series; later routes are counted in `dropped.routes` (default 20). */
  maxRoutes?: number | undefined;
  /** Error codes with their own series; later codes count as `other` (default 40). */
  maxCodes?: number | undefined;
  /** Endpoints with a breaker timeline and last-attempt times (default 200). */
  maxEndpoints?: number | undefined;
}

/** Last attempt outcomes of one endpoint seen by this process. */
export interface EndpointActivity {
  readonly lastSuccessAt: number | null;
  readonly lastFailureAt: number | null;
  readonly lastError: string | null;
}

/** A breaker state as the history names it. */
export type BreakerStateName = keyof typeof BREAKER_LEVEL;

/**
 * In-process, time-bucketed history of the server's metric events: deliveries, publishes, error
 * codes, per-route latency, breaker transitions and DLQ depth. Memory is bounded: a fixed ring of
 * buckets and capped routes, codes and endpoints.
 */
export interface MetricsHistory {
  readonly bucketMs: number;
  readonly retentionMs: number;
  /** Bumped by every change; with the current bucket it names a snapshot (the API's ETag). */
  version(): number;
  /** One finished delivery attempt: `retry` = failed and rescheduled, `dead` = failed for good (DLQ). */
  attempt(event: {
    endpointId: string;
    outcome: 'succeeded' | 'retry' | 'dead';
    errorCode: string | null;
    statusCode: number | null;
  }): void;
  /** `count` events accepted for delivery. */
  publish(count?: number): void;
  /** One error answered, by stable code. */
  error(code: string): void;
  /** One request to `route` that took `latencyMs`; non-finite latencies are ignored. */
  request(route: string, latencyMs: number): void;
  /** A breaker transition of an endpoint. */
  breaker(endpointId: string, state: BreakerStateName): void;
  /** The DLQ depth just read from the store. */
  dlqDepth(depth: number): void;
  /** Current breaker state per endpoint, as last reported. */
  breakerState(endpointId: string): BreakerStateName | undefined;
  /** Last success/failure of an endpoint seen by this process. */
  activity(endpointId: string): EndpointActivity | undefined;
  /** Routes with latency data, in first-seen order. */
  routes(): readonly string[];
  /** Requests to `route` recorded since the start (0 for an unknown route); grows with every sample. */
  routeSamples(route: string): number;
  /** Counts of what the caps turned away. */
  dropped(): { routes: number; endpoints: number };
  /** Index of the bucket holding `now`. @internal read by the query */
  currentIndex(): number;
  /** @internal the ring, read by {@link queryHistory} */
  readonly ring: BucketRing;
  /** @internal breaker levels now, read by the query */
  readonly breakerLevels: ReadonlyMap<string, BreakerLevel>;
  /** @internal codes with their own series */
  readonly codes: ReadonlySet<string>;
}

const HOUR_MS = 3_600_000;

function positiveInt(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new RangeError(`Expected \`${name}\` to be an integer in [1, ${max}], got ${value}`);
  }
  return value;
}

/**
 * Creates the history. Every `record` call is O(1) (one latency bin, one map update).
 *
 * @throws {RangeError} when an option is out of range (the message names it).
 * @example
 * ```ts
 * const history = createMetricsHistory({ clock, bucketMs: 10_000 });
 * history.attempt({ endpointId: 'ep_1', outcome: 'succeeded', errorCode: null, statusCode: 204 });
 * ```
 */
export function createMetricsHistory(options: MetricsHistoryOptions = {}): MetricsHistory {
  const clock = options.clock ?? systemClock;
  const bucketMs = options.bucketMs ?? 10_000;
  if (bucketMs !== 1_000 && bucketMs !== 10_000) {
    throw new RangeError(`Expected \`bucketMs\` to be 1000 or 10000, got ${String(bucketMs)}`);
  }
  const retentionMs = options.retentionMs ?? HOUR_MS;
  if (!Number.isInteger(retentionMs) || retentionMs < bucketMs || retentionMs > HOUR_MS || retentionMs % bucketMs) {
    throw new RangeError(
      `Expected \`retentionMs\` to be a multiple of bucketMs in [${bucketMs}, ${HOUR_MS}], got ${retentionMs}`,
    );
  }
  const maxRoutes = positiveInt('maxRoutes', options.maxRoutes ?? 20, 200);
  const maxCodes = positiveInt('maxCodes', options.maxCodes ?? 40, 500);
  const maxEndpoints = positiveInt('maxEndpoints', options.maxEndpoints ?? 200, 10_000);
  // One spare slot: the current, partial bucket plus a full retention behind it.
  const ring = new BucketRing(retentionMs / bucketMs + 1);
  const routeSamples = new Map<string, number>();
  const codes = new Set<string>();
  const breakerLevels = new Map<string, BreakerLevel>();
  const activity = new Map<string, EndpointActivity>();
  const dropped = { routes: 0, endpoints: 0 };
  let version = 0;

  const index = () => Math.floor(clock.now() / bucketMs);
  const bucket = () => {
    version++;
    return ring.write(index());
  };

  return {
    bucketMs,
    retentionMs,
    ring,
    breakerLevels,
    codes,
    version: () => version,
    currentIndex: index,
    attempt({ endpointId, outcome, errorCode, statusCode }) {
      const b = bucket();
      if (outcome === 'succeeded') b.succeeded++;
      else if (outcome === 'retry') b.retried++;
      else b.failed++;
      const previous = activity.get(endpointId);
      if (previous === undefined && activity.size >= maxEndpoints) {
        // Forget the endpoint heard from least recently (Map keeps insertion order).
        const oldest = activity.keys().next().value as string;
        activity.delete(oldest);
      }
      activity.delete(endpointId);
      const now = clock.now();
      activity.set(
        endpointId,
        outcome === 'succeeded'
          ? {
              lastSuccessAt: now,
              lastFailureAt: previous?.lastFailureAt ?? null,
              lastError: previous?.lastError ?? null,
            }
          : {
              lastSuccessAt: previous?.lastSuccessAt ?? null,
              lastFailureAt: now,
              // Like the store's `lastError`: the HTTP status when one came back, else the error code.
              lastError: statusCode !== null ? `http_${statusCode}` : (errorCode ?? 'no_response'),
            },
      );
    },
    publish(count = 1) {
      if (Number.isFinite(count) && count > 0) bucket().publishes += count;
    },
    error(code) {
      if (!codes.has(code) && codes.size < maxCodes) codes.add(code);
      const key = codes.has(code) ? code : 'other';
      const b = bucket();
      b.errors.set(key, (b.errors.get(key) ?? 0) + 1);
    },
    request(route, latencyMs) {
      if (!Number.isFinite(latencyMs)) return;
      const seen = routeSamples.get(route);
      if (seen === undefined && routeSamples.size >= maxRoutes) {
        dropped.routes++;
        return;
      }
      routeSamples.set(route, (seen ?? 0) + 1);
      addLatency(BucketRing.histogram(bucket(), route), latencyMs);
    },
    breaker(endpointId, state) {
      const level = BREAKER_LEVEL[state];
      const before = breakerLevels.get(endpointId);
      if (before === undefined && breakerLevels.size >= maxEndpoints) {
        dropped.endpoints++;
        return;
      }
      breakerLevels.set(endpointId, level);
      const b = bucket();
      const entry = b.breakers.get(endpointId);
      if (entry === undefined)
        b.breakers.set(endpointId, { before: before ?? 0, worst: Math.max(before ?? 0, level) as BreakerLevel });
      else entry.worst = Math.max(entry.worst, level) as BreakerLevel;
    },
    dlqDepth(depth) {
      if (!Number.isFinite(depth) || depth < 0) return;
      const b = ring.write(index());
      if (b.dlq !== depth) {
        version++;
        b.dlq = depth;
      }
    },
    breakerState(endpointId) {
      const level = breakerLevels.get(endpointId);
      if (level === undefined) return undefined;
      return (Object.keys(BREAKER_LEVEL) as BreakerStateName[]).find((name) => BREAKER_LEVEL[name] === level);
    },
    activity: (endpointId) => activity.get(endpointId),
    routes: () => [...routeSamples.keys()],
    routeSamples: (route) => routeSamples.get(route) ?? 0,
    dropped: () => ({ ...dropped }),
  };
}
