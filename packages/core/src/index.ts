/**
 * Shared primitives for Bulwark packages: an injectable {@link Clock} and
 * {@link TimerProvider} with lazy defaults, an abortable {@link delay}, AbortSignal
 * helpers, option validation, strict IP address parsing and the one `Retry-After` / HTTP-date parser
 * ({@link parseRetryAfter}, {@link parseHttpDate}), and {@link nestableInZod3}, which lets zod 3 hosts nest
 * Standard Schemas. Zero dependencies; runs on Node.js and edge runtimes.
 *
 * @module
 */
export { type Clock, systemClock } from './clock.js';
export { type DelayOptions, delay } from './delay.js';
export { parseHttpDate } from './http-date.js';
export { ipPrefixMatches, isIpv4Mapped, parseIp, parseIpv4, parseIpv6 } from './ip-address.js';
export { neverAbortedSignal } from './never-aborted-signal.js';
export { assertNumberOption, type NumberConstraints } from './options.js';
export { MAX_RETRY_AFTER_MS, parseRetryAfter, type RetryAfterOptions } from './retry-after.js';
export { isAbortReason, type LinkedSignal, linkSignals, throwIfAborted } from './signals.js';
export { systemTimers, type TimerHandle, type TimerProvider } from './timers.js';
export { nestableInZod3, type StandardIssue, type StandardSchemaLike } from './zod3-nesting.js';
