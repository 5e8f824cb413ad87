import { assertNumberOption } from '@bulwark/core';
import type { Algorithm, ResolvedPolicy } from './types.js';

/** One rate-limit policy: `limit` per `windowMs`, or (bucket algorithms) `rate` per second with a `burst`. */
export interface PolicyOptions {
  /** Name shown in `RateLimit-Policy` and part of store keys. Default: `"default"` (or `"p<index>"`). */
  readonly name?: string | undefined;
  /** Default: `"gcra"`. */
  readonly algorithm?: Algorithm | undefined;
  /** Requests per window (window algorithms) or burst size (GCRA, token bucket). */
  readonly limit?: number | undefined;
  /** Window length, or the time to refill `limit` from empty, in ms. */
  readonly windowMs?: number | undefined;
  /** Bucket algorithms only: units refilled per second (instead of `limit`/`windowMs`). */
  readonly rate?: number | undefined;
  /** Bucket algorithms only, with `rate`: the bucket size. Default: `ceil(rate)`. */
  readonly burst?: number | undefined;
}

const ALGORITHMS: readonly Algorithm[] = ['gcra', 'token-bucket', 'sliding-window', 'fixed-window'];
const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_LIMIT = 1_000_000_000;
const MAX_WINDOW_MS = 366 * 24 * 3_600_000;

/**
 * Validates policy options once, naming the option at fault, and resolves each to
 * `{ name, algorithm, limit, windowMs }`.
 * @internal
 */
export function resolvePolicies(list: readonly PolicyOptions[], label: string): readonly ResolvedPolicy[] {
  if (list.length === 0) throw new TypeError(`Expected \`${label}\` to contain at least one policy`);
  const seen = new Set<string>();
  const resolved = list.map((options, index) => {
    const at = list.length === 1 && label === 'options' ? '' : `${label}[${index}].`;
    const policy = resolvePolicy(options, at, list.length === 1 ? 'default' : `p${index}`);
    if (seen.has(policy.name)) throw new TypeError(`Expected \`${at}name\` to be unique, got "${policy.name}" twice`);
    seen.add(policy.name);
    return policy;
  });
  return Object.freeze(resolved);
}

function resolvePolicy(options: PolicyOptions, at: string, defaultName: string): ResolvedPolicy {
  const name = options.name ?? defaultName;
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new TypeError(`Expected \`${at}name\` to match ${NAME_PATTERN}, got ${JSON.stringify(name)}`);
  }
  const algorithm = options.algorithm ?? 'gcra';
  if (!ALGORITHMS.includes(algorithm)) {
    throw new TypeError(`Expected \`${at}algorithm\` to be one of ${ALGORITHMS.join(', ')}, got ${String(algorithm)}`);
  }
  if (options.rate !== undefined || options.burst !== undefined) {
    if (algorithm !== 'gcra' && algorithm !== 'token-bucket') {
      throw new TypeError(
        `\`${at}rate\`/\`${at}burst\` apply to gcra and token-bucket; use \`${at}limit\` + \`${at}windowMs\``,
      );
    }
    if (options.limit !== undefined || options.windowMs !== undefined) {
      throw new TypeError(
        `Give either \`${at}rate\` (+ \`${at}burst\`) or \`${at}limit\` + \`${at}windowMs\`, not both`,
      );
    }
    assertNumberOption(`${at}rate`, options.rate, { min: 0, minExclusive: true, max: MAX_LIMIT });
    const burst = options.burst ?? Math.ceil(options.rate);
    assertNumberOption(`${at}burst`, burst, { min: 1, max: MAX_LIMIT, integer: true });
    const windowMs = (burst * 1000) / options.rate;
    assertNumberOption(`${at}burst / ${at}rate`, windowMs, { max: MAX_WINDOW_MS });
    return Object.freeze({ name, algorithm, limit: burst, windowMs });
  }
  assertNumberOption(`${at}limit`, options.limit, { min: 1, max: MAX_LIMIT, integer: true });
  assertNumberOption(`${at}windowMs`, options.windowMs, { min: 1, max: MAX_WINDOW_MS, integer: true });
  return Object.freeze({ name, algorithm, limit: options.limit, windowMs: options.windowMs });
}
