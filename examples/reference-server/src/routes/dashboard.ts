import type { Context, Hono } from 'hono';
import type { AppEnv } from '../app-context.js';
import { type DashboardAsset, loadDashboardAssets } from '../dashboard/dashboard-assets.js';

/** Strict: scripts, styles and data from this origin only; no inline script or style attribute in markup. */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function serve(c: Context<AppEnv>, file: DashboardAsset): Response {
  const headers: Record<string, string> = {
    'content-type': file.contentType,
    'content-security-policy': DASHBOARD_CSP,
    'cache-control': 'no-cache',
    etag: file.etag,
    vary: 'accept-encoding',
  };
  const match = c.req.header('if-none-match');
  if (match?.split(',').some((tag) => tag.trim() === file.etag)) return c.body(null, 304, headers);
  const gzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
  if (gzip) headers['content-encoding'] = 'gzip';
  return c.body((gzip ? file.gzip : file.body) as Uint8Array<ArrayBuffer>, 200, headers);
}

/**
 * Serves the admin dashboard at `/` and its files under `/dashboard/`, read once at startup. The
 * page holds no data: it calls the admin API with the token the operator enters.
 */
export function dashboardRoutes(app: Hono<AppEnv>, assets = loadDashboardAssets()): void {
  // Browsers ask for it on every page load; answering keeps it out of the not_found counts.
  app.get('/favicon.ico', (c) => c.body(null, 204));
  for (const [path, file] of assets) app.get(path, (c) => serve(c, file));
}
