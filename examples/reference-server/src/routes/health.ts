import type { Hono } from 'hono';
import type { AppEnv, AppServices, HealthCheck } from '../app-context.js';

const CHECK_TIMEOUT_MS = 1_000;

/** Result of one health check. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: unknown;
  readonly error?: string;
}

/** Runs checks concurrently, each bounded by a timeout. */
export async function runChecks(checks: readonly HealthCheck[]): Promise<CheckResult[]> {
  return Promise.all(
    checks.map(async (check): Promise<CheckResult> => {
      const signal = AbortSignal.timeout(CHECK_TIMEOUT_MS);
      try {
        const detail = await Promise.race([
          check.check(signal),
          new Promise((_, reject) =>
            signal.addEventListener('abort', () => reject(new Error('timed out')), { once: true }),
          ),
        ]);
        const healthy = (detail as { healthy?: unknown } | undefined)?.healthy !== false;
        return { name: check.name, ok: healthy, ...(detail === undefined ? {} : { detail }) };
      } catch (error) {
        return { name: check.name, ok: false, error: error instanceof Error ? error.message : 'failed' };
      }
    }),
  );
}

/** `/health/liveness`, `/health/readiness`, `/health/dependencies`. */
export function healthRoutes(app: Hono<AppEnv>, services: AppServices): void {
  app.get('/health/liveness', (c) => c.json({ status: 'ok' }));

  app.get('/health/readiness', async (c) => {
    if (services.lifecycle.shuttingDown) return c.json({ status: 'shutting_down', checks: [] }, 503);
    const checks = await runChecks(services.readinessChecks);
    const ok = checks.every((check) => check.ok);
    return c.json({ status: ok ? 'ready' : 'not_ready', checks }, ok ? 200 : 503);
  });

  app.get('/health/dependencies', async (c) => {
    const checks = await runChecks(services.dependencyChecks);
    const ok = checks.every((check) => check.ok);
    return c.json({ status: ok ? 'ok' : 'degraded', dependencies: checks }, ok ? 200 : 503);
  });
}
