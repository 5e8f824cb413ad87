// The system programs the test suite needs besides Node: redis-server (the Redis-backed tests,
// and tests that start, kill and restart their own Redis), Chromium (the dashboard's
// end-to-end tests) and promtool (the runbooks' alert rules). Missing ones are installed from
// Debian's packages when apt-get is usable (root, or passwordless sudo); promtool is unpacked from
// Debian's prometheus package instead of installed, so no Prometheus service is started. Otherwise
// this fails with a message naming what to install.
// Never a skip: a suite that quietly runs without them proves nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findPromtool, PROMTOOL_CACHE_DIR } from '../packages/testing/src/promtool-path.mjs';

// Debian's chromium first; GitHub's Ubuntu runners ship Chrome (Playwright drives either).
const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** The absolute path of `name` on PATH, or undefined. */
function which(name) {
  const result = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { encoding: 'utf8' });
  const path = result.stdout.trim();
  return result.status === 0 && path.startsWith('/') ? path : undefined;
}

function findChromium() {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return existsSync(configured) ? configured : undefined;
  for (const name of CHROMIUM_NAMES) {
    const path = which(name);
    if (path) return path;
  }
  return undefined;
}

/** What is missing, as Debian package names. */
function missingPackages() {
  const missing = [];
  if (!which('redis-server')) missing.push('redis-server');
  // Joins the test command's Redis Cluster (`redis-cli --cluster create`); Debian ships it in redis-tools.
  else if (!which('redis-cli')) missing.push('redis-tools');
  if (!findChromium()) missing.push('chromium');
  return missing;
}

/** How to run apt-get here: directly as root, through passwordless sudo, or not at all. */
function aptPrefix() {
  if (!which('apt-get')) return undefined;
  if (process.getuid?.() === 0) return [];
  if (which('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0) return ['sudo', '-n'];
  return undefined;
}

function apt(prefix, args) {
  const [command, ...rest] = [...prefix, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args];
  const result = spawnSync(command, rest, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`\`${[command, ...rest].join(' ')}\` failed (exit ${result.status})`);
}

/**
 * Unpacks promtool from Debian's prometheus package into PROMTOOL_CACHE_DIR (`apt-get download`
 * and `dpkg-deb -x`: nothing is installed, no service starts). Refreshes the package lists once if
 * the download fails on stale ones.
 */
function unpackPromtool(log) {
  if (!which('apt-get') || !which('dpkg-deb')) {
    throw new Error(
      'The test suite needs promtool (Prometheus), which is not installed, and apt-get cannot fetch it here.\n' +
        'Install promtool (Debian/Ubuntu: `sudo apt-get install prometheus`; macOS: `brew install prometheus`), ' +
        'or point PROMTOOL_PATH at a promtool binary, then run the tests again.',
    );
  }
  log(`[provision] unpacking promtool from Debian's prometheus package into ${PROMTOOL_CACHE_DIR}`);
  rmSync(PROMTOOL_CACHE_DIR, { recursive: true, force: true });
  mkdirSync(PROMTOOL_CACHE_DIR, { recursive: true });
  const download = () =>
    spawnSync('apt-get', ['download', '-qq', 'prometheus'], { cwd: PROMTOOL_CACHE_DIR, stdio: 'ignore' }).status;
  if (download() !== 0) {
    const prefix = aptPrefix();
    if (prefix !== undefined) apt(prefix, ['update', '-qq']);
    if (download() !== 0)
      throw new Error('`apt-get download prometheus` failed: install promtool or set PROMTOOL_PATH');
  }
  const deb = readdirSync(PROMTOOL_CACHE_DIR).find((name) => name.endsWith('.deb'));
  if (deb === undefined) throw new Error(`\`apt-get download prometheus\` left no .deb in ${PROMTOOL_CACHE_DIR}`);
  const unpacked = spawnSync('dpkg-deb', ['-x', deb, 'package'], { cwd: PROMTOOL_CACHE_DIR, stdio: 'inherit' });
  if (unpacked.status !== 0) throw new Error(`\`dpkg-deb -x ${deb}\` failed in ${PROMTOOL_CACHE_DIR}`);
  // Only promtool is kept (the package also holds the Prometheus server and its web assets).
  mkdirSync(join(PROMTOOL_CACHE_DIR, 'usr/bin'), { recursive: true });
  renameSync(join(PROMTOOL_CACHE_DIR, 'package/usr/bin/promtool'), join(PROMTOOL_CACHE_DIR, 'usr/bin/promtool'));
  rmSync(join(PROMTOOL_CACHE_DIR, 'package'), { recursive: true, force: true });
  rmSync(join(PROMTOOL_CACHE_DIR, deb), { force: true });
}

/**
 * Makes sure redis-server, Chromium and promtool are there, installing (or, for promtool,
 * unpacking) them from Debian's packages if needed.
 * @returns {{ chromiumPath: string, promtoolPath: string }} where Chromium and promtool are
 *   (exported to the tests as CHROMIUM_PATH and PROMTOOL_PATH)
 * @throws {Error} naming what to install when they are missing and apt-get cannot install them
 */
export function provision(log = console.log) {
  const missing = missingPackages();
  if (missing.length > 0) {
    const prefix = aptPrefix();
    if (prefix === undefined) {
      throw new Error(
        `The test suite needs ${missing.join(' and ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed, ` +
          `and apt-get cannot install ${missing.length > 1 ? 'them' : 'it'} here (no apt-get, or neither root nor passwordless sudo).\n` +
          `Install ${missing.join(' and ')} (Debian/Ubuntu: \`sudo apt-get install ${missing.join(' ')}\`; ` +
          'macOS: `brew install redis` and Chromium), or point CHROMIUM_PATH at a Chromium or Chrome binary, then run the tests again.',
      );
    }
    log(`[provision] installing ${missing.join(' ')} from Debian's packages`);
    apt(prefix, ['update', '-qq']);
    apt(prefix, ['install', '-y', '-qq', '--no-install-recommends', ...missing]);
    const still = missingPackages();
    if (still.length > 0)
      throw new Error(`apt-get installed ${missing.join(' ')} but ${still.join(' and ')} still cannot be found`);
  }
  if (findPromtool() === undefined) unpackPromtool(log);
  const promtoolPath = findPromtool();
  if (promtoolPath === undefined)
    throw new Error(`promtool was unpacked into ${PROMTOOL_CACHE_DIR} but cannot be found`);
  return { chromiumPath: /** @type {string} */ (findChromium()), promtoolPath };
}
