import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DEFAULT_PROBLEM_TYPE_BASE } from '@bulwark/errors';

/** One static file of the dashboard, read and compressed once at startup. */
export interface DashboardAsset {
  readonly path: string;
  readonly contentType: string;
  readonly body: Uint8Array;
  readonly gzip: Uint8Array;
  /** Strong ETag of the uncompressed bytes. */
  readonly etag: string;
}

const STATIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'static');

function asset(path: string, contentType: string, body: Uint8Array): DashboardAsset {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return Object.freeze({ path, contentType, body, gzip: new Uint8Array(gzipSync(body, { level: 9 })), etag });
}

/**
 * The page, its script and stylesheet, and uPlot's own files taken from node_modules: everything
 * the browser loads comes from this server (no CDN; works offline; CSP `'self'`).
 */
export function loadDashboardAssets(): ReadonlyMap<string, DashboardAsset> {
  const require = createRequire(import.meta.url);
  const uplotDist = dirname(require.resolve('uplot'));
  const html = readFileSync(join(STATIC_DIR, 'index.html'), 'utf8').replace(
    '{{PROBLEM_BASE}}',
    DEFAULT_PROBLEM_TYPE_BASE,
  );
  const list = [
    asset('/', 'text/html; charset=utf-8', new TextEncoder().encode(html)),
    ...['dashboard.js', 'dom.js', 'api.js', 'charts.js', 'views.js'].map((file) =>
      asset(`/dashboard/${file}`, 'text/javascript; charset=utf-8', readFileSync(join(STATIC_DIR, file))),
    ),
    asset('/dashboard/dashboard.css', 'text/css; charset=utf-8', readFileSync(join(STATIC_DIR, 'dashboard.css'))),
    asset('/dashboard/uplot.js', 'text/javascript; charset=utf-8', readFileSync(join(uplotDist, 'uPlot.iife.min.js'))),
    asset('/dashboard/uplot.css', 'text/css; charset=utf-8', readFileSync(join(uplotDist, 'uPlot.min.css'))),
  ];
  return new Map(list.map((a) => [a.path, a]));
}

/** Bytes the browser downloads for the page, compressed (what the page-weight budget counts). */
export function dashboardWeight(assets: ReadonlyMap<string, DashboardAsset>): { raw: number; gzip: number } {
  let raw = 0;
  let gzip = 0;
  for (const a of assets.values()) {
    raw += a.body.byteLength;
    gzip += a.gzip.byteLength;
  }
  return { raw, gzip };
}
