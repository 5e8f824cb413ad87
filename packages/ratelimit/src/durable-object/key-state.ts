import { SLOTS_PER_POLICY, STEPS } from '../algorithms/index.js';
import type { PolicyOutcome, ResolvedPolicy } from '../types.js';

/** One key's persisted state in a Durable Object: its expiry instant and three numbers per policy. @internal */
export interface KeyRecord {
  /** Epoch ms after which the state is spent and reads as all zeros. */
  readonly expiresAt: number;
  /** `SLOTS_PER_POLICY` numbers per policy, in policy order. */
  readonly state: readonly number[];
}

/** What {@link decideRecord} decided, and the record to persist (only when something was consumed). @internal */
export interface RecordDecision {
  readonly outcomes: readonly PolicyOutcome[];
  readonly record: KeyRecord | undefined;
}

/**
 * Decides `cost` units for one key under every policy with the package's algorithm steps,
 * exactly as the memory store does: each step reads the stored state and writes the state it
 * would commit into `next`; `next` becomes the new record only when every policy allows and
 * `cost > 0`. A denial consumes nothing, so policies that would have allowed keep `cost` in
 * `remaining`. A record that expired, or that was written for a different number of policies,
 * reads as an unseen key.
 * @internal
 */
export function decideRecord(
  record: KeyRecord | undefined,
  policies: readonly ResolvedPolicy[],
  cost: number,
  now: number,
): RecordDecision {
  const width = SLOTS_PER_POLICY * policies.length;
  const state = new Float64Array(width);
  if (record !== undefined && record.expiresAt > now && record.state.length === width) state.set(record.state);
  const next = new Float64Array(width);
  const outcomes: PolicyOutcome[] = new Array(policies.length);
  let allowed = true;
  let longest = 0;
  for (let i = 0; i < policies.length; i++) {
    const policy = policies[i] as ResolvedPolicy;
    const at = SLOTS_PER_POLICY * i;
    const o = STEPS[policy.algorithm](state, at, next, at, now, policy, cost);
    outcomes[i] = { allowed: o.allowed, remaining: o.remaining, resetMs: o.resetMs, retryAfterMs: o.retryAfterMs };
    allowed &&= o.allowed;
    longest = Math.max(longest, policy.windowMs);
  }
  if (!allowed) {
    return {
      outcomes: outcomes.map((o) => (o.allowed ? { ...o, remaining: o.remaining + cost } : o)),
      record: undefined,
    };
  }
  if (cost === 0) return { outcomes, record: undefined };
  return { outcomes, record: { expiresAt: now + 2 * longest, state: Array.from(next) } };
}

/**
 * The storage key of `key` under `policies`: the policies' JSON (name, algorithm, limit,
 * window), a NUL, then the key. JSON never contains a raw NUL, so two limiters, or two keys,
 * never share a record.
 * @internal
 */
export function recordKey(key: string, policies: readonly ResolvedPolicy[]): string {
  return `${JSON.stringify(policies.map((p) => [p.name, p.algorithm, p.limit, p.windowMs]))}\u0000${key}`;
}
