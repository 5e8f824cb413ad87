// promtool (Prometheus's rule checker), for the tests that run the runbooks' alert rules. Plain
// JavaScript so the test command (scripts/provision.mjs, no TypeScript loader) and the tests share
// one lookup. When none is installed, the test command unpacks Debian's prometheus package into
// PROMTOOL_CACHE_DIR (extracted with dpkg-deb, never installed: no service is started).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where the test command unpacks Debian's prometheus package when no promtool is installed. */
export const PROMTOOL_CACHE_DIR = join(root, 'node_modules/.cache/bulwark-promtool');

/**
 * The promtool to use: `PROMTOOL_PATH`, else `promtool` on PATH, else the unpacked copy; undefined
 * when there is none.
 * @returns {string | undefined}
 */
export function findPromtool() {
  const configured = process.env.PROMTOOL_PATH;
  if (configured) return existsSync(configured) ? configured : undefined;
  const onPath = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  const path = onPath.stdout.trim();
  if (onPath.status === 0 && path.startsWith('/')) return path;
  const unpacked = join(PROMTOOL_CACHE_DIR, 'usr/bin/promtool');
  return existsSync(unpacked) ? unpacked : undefined;
}
