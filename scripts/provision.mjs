// The system programs the test suite needs besides Node: redis-server (the Redis-backed tests,
// and tests that start, kill and restart their own Redis) and Chromium (the dashboard's
// end-to-end tests). Missing ones are installed from Debian's packages when apt-get is usable
// (root, or passwordless sudo); otherwise this fails with a message naming what to install.
// Never a skip: a suite that quietly runs without them proves nothing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

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
 * Makes sure redis-server and Chromium are installed, installing them with apt-get if needed.
 * @returns {{ chromiumPath: string }} where Chromium is (exported to the tests as CHROMIUM_PATH)
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
  return { chromiumPath: /** @type {string} */ (findChromium()) };
}
