import type { Hono } from 'hono';
import type { AppEnv } from '../app-context.js';
import { DASHBOARD_HTML } from '../dashboard/page.js';

/** Serves the admin dashboard at `/`. The page itself holds no data; it calls the admin API. */
export function dashboardRoutes(app: Hono<AppEnv>): void {
  // Browsers ask for it on every page load; answering keeps it out of the not_found counts.
  app.get('/favicon.ico', (c) => c.body(null, 204));
  app.get('/', (c) =>
    c.html(DASHBOARD_HTML, 200, {
      'content-security-policy':
        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      'cache-control': 'no-store',
    }),
  );
}
