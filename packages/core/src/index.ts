/**
 * Shared primitives for Bulwark packages: an injectable {@link Clock} and
 * {@link TimerProvider} with lazy defaults, an abortable {@link delay}, AbortSignal
 * helpers, option validation and strict IP address parsing. Zero dependencies; runs on Node.js and edge runtimes.
 *
 * @module
 */
export { type Clock, systemClock } from './clock.js';
export { type DelayOptions, delay } from './delay.js';
export { ipPrefixMatches, isIpv4Mapped, parseIp, parseIpv4, parseIpv6 } from './ip-address.js';
export { assertNumberOption, type NumberConstraints } from './options.js';
export { isAbortReason, type LinkedSignal, linkSignals, throwIfAborted } from './signals.js';
export { systemTimers, type TimerHandle, type TimerProvider } from './timers.js';
