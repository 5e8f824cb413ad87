import type { Health } from './health-registry.js';
import type { HealthReport } from './health-report.js';

/** Options of {@link createHealthHandler}. */
export interface HealthHandlerOptions {
  /** Path of the liveness probe. Default: `/health/liveness`. */
  livenessPath?: string | undefined;
  /** Path of the readiness probe. Default: `/health/readiness`. */
  readinessPath?: string | undefined;
  /**
   * Path of the dependencies view, or `undefined` (the default) to not serve it: it names your
   * dependencies, so serve it behind authentication (call `health.dependencies()` there).
   */
  dependenciesPath?: string | undefined;
  /** Include each check's status and code in probe bodies. Default: `false` (status only). */
  verbose?: boolean | undefined;
}

const HEADERS = { 'content-type': 'application/health+json', 'cache-control': 'no-store' } as const;

function body(report: HealthReport, verbose: boolean): string {
  if (!verbose) return JSON.stringify({ status: report.status });
  const checks = Object.fromEntries(
    report.checks.map((check) => [check.name, { status: check.status, ...(check.code ? { code: check.code } : {}) }]),
  );
  return JSON.stringify({ status: report.status, shuttingDown: report.shuttingDown, checks });
}

/**
 * A fetch-style handler for the probes (`GET` and `HEAD`), usable from Hono, a Worker or any
 * framework that speaks `Request`/`Response`. Answers from cached results only.
 *
 * @returns A function answering a probe `Request`, or `undefined` when the path is not a probe path.
 * @example
 * ```ts
 * const probes = createHealthHandler(health);
 * app.get('/health/*', (c) => probes(c.req.raw) ?? c.notFound());
 * ```
 */
export function createHealthHandler(
  health: Health,
  options: HealthHandlerOptions = {},
): (request: Request) => Response | undefined {
  const verbose = options.verbose ?? false;
  const routes = new Map<string, () => HealthReport>([
    [options.livenessPath ?? '/health/liveness', () => health.liveness()],
    [options.readinessPath ?? '/health/readiness', () => health.readiness()],
  ]);
  if (options.dependenciesPath !== undefined) routes.set(options.dependenciesPath, () => health.dependencies());
  return (request) => {
    const route = routes.get(new URL(request.url).pathname);
    if (route === undefined) return undefined;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
    }
    const report = route();
    const text =
      request.method === 'HEAD' ? null : body(report, verbose || route === routes.get(options.dependenciesPath ?? ''));
    return new Response(text, { status: report.httpStatus, headers: HEADERS });
  };
}
