import { type Clock, systemClock } from '@bulwark/core';
import { createErrorCounter } from '@bulwark/errors';
import { createSloRecorder } from '@bulwark/slo';
import type { Logger } from 'pino';
import { createAdminAuth, generateAdminToken } from './admin-auth.js';
import type { AppServices } from './app-context.js';
import { createAuditLog } from './audit-log.js';
import type { Config } from './config.js';
import { createMetrics } from './metrics.js';

/** Services plus what `main` must tell the operator (e.g. a generated admin token). */
export interface BuiltServices {
  readonly services: AppServices;
  /** Set when no ADMIN_TOKEN was configured and one was generated for this run. */
  readonly generatedAdminToken?: string;
}

/** Wires the shared services from configuration (embedded defaults when nothing is set). */
export function createServices(config: Config, logger: Logger, clock: Clock = systemClock): BuiltServices {
  const generatedAdminToken = config.ADMIN_TOKEN ? undefined : generateAdminToken();
  const metrics = createMetrics();
  const slo = createSloRecorder({ clock, objective: { target: 0.99, thresholdMs: 500 }, maxRoutes: 50 });
  slo.onBreachAlert((event) => logger.warn({ event: event.type, ...event }, 'slo_breach_alert'));
  const services: AppServices = {
    config,
    clock,
    logger,
    metrics,
    errors: createErrorCounter({ clock }),
    adminAuth: createAdminAuth({
      token: config.ADMIN_TOKEN ?? (generatedAdminToken as string),
      jwtSecret: config.ADMIN_JWT_SECRET,
    }),
    slo,
    audit: createAuditLog({ clock, sink: (record) => logger.info({ audit: record }, 'admin action') }),
    readinessChecks: [],
    dependencyChecks: [],
    features: new Set<string>(['slo']),
    lifecycle: { shuttingDown: false },
  };
  return generatedAdminToken ? { services, generatedAdminToken } : { services };
}
