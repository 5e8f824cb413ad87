#!/usr/bin/env node
// THE test command (`pnpm test` / `npm test`): provisions what the suite needs (pnpm, the
// workspace's dependencies, redis-server, Chromium), starts a throwaway Redis, then runs build,
// lint, typecheck, package checks, vitest with coverage (no test may skip), the coverage
// ratchet, the demo and the API docs. Stops at the first failing step. It also starts a Redis
// Cluster (3 masters with a replica each) for the cluster suites (REDIS_CLUSTER_NODES). Redis and
// the cluster are stopped by PID on every exit path (success, failure, SIGINT/SIGTERM, or the
// launching package manager dying), and so is any redis-server a test started and left behind
// (tests register their servers' PIDs in BULWARK_TEST_PID_DIR).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisCluster } from '../packages/testing/src/redis-cluster.mjs';
import { startRedisServer } from '../packages/testing/src/redis-server.mjs';
import { bootstrap } from './bootstrap.mjs';
import { exitWithParent } from './exit-with-parent.mjs';
import { provision } from './provision.mjs';

const steps = [
  ['changesets parse; `changeset status` against the base branch', ['node', 'scripts/check-changesets.mjs']],
  ['package metadata and LICENSE copies', ['node', 'scripts/package-metadata.mjs']],
  ['docs: README package table, docs index, no paths outside the repository', ['node', 'scripts/check-docs.mjs']],
  ['build', ['pnpm', 'build']],
  ['lint', ['pnpm', 'lint']],
  ['typecheck', ['pnpm', 'typecheck']],
  ['documentation examples typecheck', ['node', 'scripts/check-doc-examples.mjs']],
  ['package checks (publint, attw)', ['pnpm', 'check:packages']],
  ['package tarballs: LICENSE, README links, no unused files', ['node', 'scripts/check-package-files.mjs']],
  ['consumer contract (npm, README examples, TypeScript floor, sizes)', ['node', 'scripts/check-consumer.mjs']],
  [
    'unit tests with coverage',
    [
      'pnpm',
      'exec',
      'vitest',
      'run',
      '--coverage',
      '--reporter=default',
      '--reporter=json',
      '--outputFile.json=coverage/vitest-results.json',
    ],
  ],
  ['no skipped tests', ['node', 'scripts/check-no-skips.mjs', 'coverage/vitest-results.json']],
  ['coverage ratchet', ['node', 'scripts/coverage-ratchet.mjs', 'check']],
  ['end-to-end demo (pnpm demo)', ['pnpm', 'demo']],
  ['api docs', ['pnpm', 'run', 'docs']],
  [
    'api docs: headings with words, modules named by import path, error codes searchable',
    ['node', 'scripts/check-api-docs.mjs'],
  ],
  ['error code registry is current', ['pnpm', 'exec', 'tsx', 'scripts/generate-errors-doc.ts', '--check']],
];

const cleanups = [];
let current; // the running step's child process (leader of its own process group)

function cleanup() {
  while (cleanups.length > 0) cleanups.pop()();
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\n✖ ${signal}: stopping`);
    if (current) killGroup(current, signal);
    cleanup();
    process.exit(128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[signal] ?? 0));
  });
}
// `pnpm test` killed: its shell dies without passing the signal on; treat that as SIGTERM.
exitWithParent();

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the step has exited already
  }
}

/** Runs one step in its own process group (so a stop signal reaches all of it); resolves its exit status. */
function run(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env, detached: true });
    current = child;
    child.once('error', (error) => {
      console.error(error.message);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      current = undefined;
      resolve(code ?? signal);
    });
  });
}

bootstrap();
let chromiumPath;
let promtoolPath;
try {
  ({ chromiumPath, promtoolPath } = provision());
} catch (error) {
  console.error(`\n✖ ${error.message}`);
  process.exit(1);
}
const pidDir = mkdtempSync(join(tmpdir(), 'bulwark-test-pids-'));
cleanups.push(() => stopLeftovers(pidDir));
process.env.BULWARK_TEST_PID_DIR = pidDir; // the cluster's own nodes register there too, while it starts
const env = { ...process.env, CHROMIUM_PATH: chromiumPath, PROMTOOL_PATH: promtoolPath };
/** The throwaway Redis's working directory, removed when the run ends. */
function redisDir() {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-redis-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
try {
  await Promise.all([
    process.env.REDIS_URL
      ? console.log(`[test] using REDIS_URL from the environment`)
      : startRedisServer({ dir: redisDir() }).then((redis) => {
          cleanups.push(redis.stop);
          env.REDIS_URL = redis.url;
          console.log(`[test] redis-server (pid ${redis.pid}) on ${redis.url}`);
        }),
    process.env.REDIS_CLUSTER_NODES
      ? console.log(`[test] using REDIS_CLUSTER_NODES from the environment`)
      : startRedisCluster().then((cluster) => {
          cleanups.push(cluster.stop);
          env.REDIS_CLUSTER_NODES = cluster.seeds;
          const pids = cluster.nodes.map((n) => n.pid).join(' ');
          console.log(`[test] Redis Cluster (pids ${pids}) on ${cluster.seeds}, started in ${cluster.startMs} ms`);
        }),
  ]);
} catch (error) {
  console.error(`\n✖ ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}

const started = Date.now();
for (const [name, [command, ...args]] of steps) {
  const stepStart = Date.now();
  console.log(`\n▶ ${name}`);
  const status = await run(command, args, env);
  const seconds = ((Date.now() - stepStart) / 1000).toFixed(1);
  if (status !== 0) {
    console.error(`\n✖ ${name} failed (exit ${status}) after ${seconds}s`);
    printTally();
    process.exit(1);
  }
  console.log(`✔ ${name} (${seconds}s)`);
}
console.log(`\nAll checks passed in ${((Date.now() - started) / 1000).toFixed(1)}s`);
printTally();

/**
 * SIGKILLs every redis-server a test registered in `dir` and did not stop (a crashed or killed
 * test worker), checking each PID still names a redis-server first; then removes `dir`.
 */
function stopLeftovers(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    let command = '';
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone (or no /proc: nothing to check it against, so leave it)
    }
    if (!command.startsWith('redis-server')) continue;
    try {
      process.kill(pid, 'SIGKILL');
      console.log(`[test] stopped redis-server ${pid}, left running by a test`);
    } catch {
      // exited meanwhile
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

function printTally() {
  const file = 'coverage/vitest-results.json';
  if (!existsSync(file)) return;
  const results = JSON.parse(readFileSync(file, 'utf8'));
  const skipped = results.numPendingTests + results.numTodoTests;
  console.log(`tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`);
}
