import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, AppServices } from '../app-context.js';

const querySchema = z.object({
  quantile: z.coerce.number().gt(0).lt(1).default(0.9),
  headroom: z.coerce.number().min(0).max(10).default(0.2),
});

/** `GET /admin/slo/recommend`: per-route latency threshold recommendations with explanations. */
export function sloRoutes(app: Hono<AppEnv>, services: AppServices): void {
  app.get('/admin/slo/recommend', (c) => {
    const { quantile, headroom } = querySchema.parse(c.req.query());
    const routes = services.slo.routes().map((route) => {
      const result = services.slo.recommendThreshold(route, { quantile, headroom });
      const burn = services.slo.burnRate(route);
      return {
        route,
        ...result,
        breachRatio: result.status === 'ok' ? services.slo.breachRatio(route, result.thresholdMs).lastN : undefined,
        burnRate: { severity: burn.severity, budgetRemaining: burn.budget.remaining },
      };
    });
    return c.json({ quantile, headroom, routes });
  });
}
