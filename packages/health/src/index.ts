/**
 * Health checks that are cheap to probe and a graceful-shutdown orchestrator.
 *
 * - {@link createHealth}: a registry of checks, each with its own timeout, interval and
 *   criticality, refreshed in the background; liveness, readiness and a dependencies view read
 *   the cached results, so a probe never runs a check.
 * - {@link createShutdown}: on SIGTERM, readiness fails at once while the listener stays open for a
 *   drain delay, then in-flight requests finish and close hooks run in reverse order, all under a deadline.
 *
 * Runs on Node.js; the registry and handler also run on edge runtimes (no `node:` imports).
 *
 * @module @bulwark/health
 */
export { type BreakerRegistryCheckOptions, type BreakerRegistryLike, breakerRegistryCheck } from './breaker-check.js';
export {
  createShutdown,
  type HookOptions,
  type HookResult,
  type Shutdown,
  type ShutdownResult,
  type ShutdownState,
} from './graceful-shutdown.js';
export type {
  CheckFailureCode,
  CheckResult,
  CheckStatus,
  HealthCheck,
  HealthCheckContext,
  HealthCheckKind,
  HealthCheckOutcome,
} from './health-check.js';
export { createHealthHandler, type HealthHandlerOptions } from './health-handler.js';
export type { HealthOptions } from './health-options.js';
export { createHealth, type Health } from './health-registry.js';
export type { HealthReport } from './health-report.js';
export type { HttpServerLike, ServerResponseLike } from './server-drain.js';
export type { ProcessLike, ShutdownExitCodes, ShutdownLogger, ShutdownOptions } from './shutdown-options.js';
// Not exported: CheckSlot, ServerDrain, runCheck, raceTimeout and the option resolvers are internals.
