import { DEFAULT_BURN_RATE_MIN_EVENTS } from '@bulwark/slo';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, AppServices } from '../app-context.js';

const querySchema = z.object({
  // No default quantile: the recorder recommends the one matching its breach target (p97.5 for 5%).
  quantile: z.coerce.number().gt(0).lt(1).optional(),
  headroom: z.coerce.number().min(0).max(10).default(0),
});

/**
 * `GET /admin/slo/recommend`: per-route latency threshold recommendations with explanations, and
 * each route's burn-rate severity with `evaluated`: whether any alert rule saw the recorder's
 * minimum of requests in both its windows (severity `none` without that is "not enough data",
 * not "ok"). The server keeps the recorder's default minimum.
 */
export function sloRoutes(app: Hono<AppEnv>, services: AppServices): void {
  app.get('/admin/slo/recommend', (c) => {
    const { quantile, headroom } = querySchema.parse(c.req.query());
    const routes = services.slo.routes().map((route) => {
      const result = services.slo.recommendThreshold(route, {
        ...(quantile === undefined ? {} : { quantile }),
        headroom,
      });
      const burn = services.slo.burnRate(route);
      return {
        route,
        ...result,
        breachRatio: result.status === 'ok' ? services.slo.breachRatio(route, result.thresholdMs).lastN : undefined,
        burnRate: {
          severity: burn.severity,
          budgetRemaining: burn.budget.remaining,
          evaluated: burn.alerts.some(
            (a) =>
              a.firing ||
              (a.long.total >= DEFAULT_BURN_RATE_MIN_EVENTS && a.short.total >= DEFAULT_BURN_RATE_MIN_EVENTS),
          ),
          minEvents: DEFAULT_BURN_RATE_MIN_EVENTS,
        },
      };
    });
    return c.json({ quantile, headroom, routes });
  });
}
