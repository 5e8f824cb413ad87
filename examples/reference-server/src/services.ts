import { type Clock, systemClock } from '@bulwark/core';
import { createErrorCounter } from '@bulwark/errors';
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
    audit: createAuditLog({ clock, sink: (record) => logger.info({ audit: record }, 'admin action') }),
    readinessChecks: [],
    dependencyChecks: [],
    features: new Set<string>(),
    lifecycle: { shuttingDown: false },
  };
  return generatedAdminToken ? { services, generatedAdminToken } : { services };
}
