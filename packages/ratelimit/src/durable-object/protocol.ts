import type { Algorithm, PolicyOutcome, ResolvedPolicy } from '../types.js';

/** A decision asked of the Durable Object. @internal */
export interface DecideRequest {
  readonly op: 'decide';
  readonly key: string;
  readonly policies: readonly ResolvedPolicy[];
  readonly cost: number;
  /** Epoch ms after which the object must not consume (the caller was already denied). */
  readonly deadline: number | undefined;
}

/** A reset asked of the Durable Object. @internal */
export interface ResetRequest {
  readonly op: 'reset';
  readonly key: string;
  readonly policies: readonly ResolvedPolicy[];
}

/** The status the object answers with when a decision arrived after its deadline. @internal */
export const DEADLINE_STATUS = 408;
/** Longest key accepted (the storage key also holds the policies; Durable Object keys are ≤ 2 KiB). @internal */
export const MAX_KEY_LENGTH = 512;
/** Most policies accepted in one request. @internal */
export const MAX_POLICIES = 16;

const ALGORITHMS: ReadonlySet<string> = new Set<Algorithm>(['gcra', 'token-bucket', 'sliding-window', 'fixed-window']);

/** Thrown by the parsers on input that is not exactly the protocol. @internal */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

function fail(message: string): never {
  throw new ProtocolError(message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function exactKeys(value: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const k of Object.keys(value)) if (!allowed.includes(k)) fail(`${what} has an unknown field`);
}

function finite(value: unknown, what: string, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min)
    fail(`${what} must be a finite number ≥ ${min}`);
  return value;
}

function parsePolicy(value: unknown): ResolvedPolicy {
  if (!isRecord(value)) fail('policy must be an object');
  exactKeys(value, ['name', 'algorithm', 'limit', 'windowMs'], 'policy');
  const { name, algorithm, limit, windowMs } = value;
  if (typeof name !== 'string' || name.length === 0 || name.length > 64) fail('policy name must be 1–64 characters');
  if (typeof algorithm !== 'string' || !ALGORITHMS.has(algorithm)) fail('policy algorithm is unknown');
  if (!Number.isInteger(limit) || (limit as number) < 1) fail('policy limit must be a positive integer');
  if (finite(windowMs, 'policy windowMs', 0) === 0) fail('policy windowMs must be positive');
  return { name, algorithm: algorithm as Algorithm, limit: limit as number, windowMs: windowMs as number };
}

/**
 * Parses a request body (already JSON-decoded) strictly: unknown fields, wrong types,
 * non-finite numbers, empty or oversized keys and policy lists are {@link ProtocolError}s.
 * @internal
 */
export function parseRequest(body: unknown): DecideRequest | ResetRequest {
  if (!isRecord(body)) fail('request must be an object');
  const { op, key, policies } = body;
  if (op !== 'decide' && op !== 'reset') fail('request op must be "decide" or "reset"');
  exactKeys(
    body,
    op === 'decide' ? ['op', 'key', 'policies', 'cost', 'deadline'] : ['op', 'key', 'policies'],
    'request',
  );
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    fail(`request key must be 1–${MAX_KEY_LENGTH} characters`);
  }
  if (!Array.isArray(policies) || policies.length === 0 || policies.length > MAX_POLICIES) {
    fail(`request policies must be 1–${MAX_POLICIES} policies`);
  }
  const parsed = policies.map(parsePolicy);
  if (op === 'reset') return { op, key, policies: parsed };
  const cost = finite(body.cost, 'request cost', 0);
  const deadline = body.deadline === undefined ? undefined : finite(body.deadline, 'request deadline', 0);
  return { op, key, policies: parsed, cost, deadline };
}

/**
 * Parses the object's answer to a decision strictly: exactly one outcome per policy, each with
 * a boolean `allowed` and finite non-negative numbers.
 * @internal
 */
export function parseOutcomes(body: unknown, count: number): PolicyOutcome[] {
  if (!isRecord(body) || !Array.isArray(body.outcomes) || body.outcomes.length !== count) {
    fail(`answer must hold ${count} outcome(s)`);
  }
  return body.outcomes.map((o: unknown) => {
    if (!isRecord(o) || typeof o.allowed !== 'boolean') fail('outcome must have a boolean `allowed`');
    exactKeys(o, ['allowed', 'remaining', 'resetMs', 'retryAfterMs'], 'outcome');
    return {
      allowed: o.allowed,
      remaining: finite(o.remaining, 'outcome remaining', 0),
      resetMs: finite(o.resetMs, 'outcome resetMs', 0),
      retryAfterMs: finite(o.retryAfterMs, 'outcome retryAfterMs', 0),
    };
  });
}
