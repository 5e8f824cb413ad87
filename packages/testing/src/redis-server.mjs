// One throwaway redis-server on loopback, and the process plumbing every Redis the tests start
// shares (free ports, a minimal RESP client, PID guards). Plain JavaScript so the test command
// (scripts/test.mjs, no TypeScript loader), the Cluster helper and the TypeScript helper
// `@bulwark/testing/own-redis` share one implementation. Processes are stopped by PID, never by
// name (other Redis servers may run on the machine).
import { spawn } from 'node:child_process';
import { unlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';

export const HOST = '127.0.0.1';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A free loopback port (nothing listens on it once this resolves), not in `taken` (which it is
 * added to).
 * @param {Set<number>} [taken]
 * @returns {Promise<number>}
 */
export async function freePort(taken = new Set()) {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, HOST, () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    if (!taken.has(port)) {
      taken.add(port);
      return port;
    }
  }
}

/** RESP encoding of one command. */
function encode(args) {
  let out = `*${args.length}\r\n`;
  for (const arg of args) out += `$${Buffer.byteLength(String(arg))}\r\n${arg}\r\n`;
  return out;
}

/**
 * Sends one command to 127.0.0.1:port and resolves its reply as text (a simple string, an
 * error as `-ERR …`, a bulk string's contents, an integer as `:n`), or undefined when the
 * node does not answer within `timeoutMs`. Arrays are not parsed (not needed here).
 * @param {number} port
 * @param {Array<string | number>} args
 * @returns {Promise<string | undefined>}
 */
export function redisCommand(port, args, timeoutMs = 1_000) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    let buffer = '';
    let result;
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.on('connect', () => socket.write(encode(args)));
    socket.on('data', (chunk) => {
      buffer += chunk;
      const eol = buffer.indexOf('\r\n');
      if (eol === -1) return;
      const head = buffer.slice(0, eol);
      if (head.startsWith('$')) {
        const length = Number(head.slice(1));
        if (length < 0) result = '';
        else if (Buffer.byteLength(buffer) - Buffer.byteLength(head) - 2 >= length + 2) {
          result = Buffer.from(buffer.slice(eol + 2))
            .subarray(0, length)
            .toString();
        } else return;
      } else result = head.startsWith('+') ? head.slice(1) : head;
      socket.end();
    });
    socket.on('close', () => resolve(result));
    socket.on('error', () => {});
  });
}

// Runs in its own small Node process: SIGKILLs the servers once the process that started them is
// gone (a test worker killed without running its exit handlers), and exits when they all are.
const WATCHDOG = `
const [parentArg, dir, ...pidArgs] = process.argv.slice(1);
const parent = Number(parentArg);
const pids = pidArgs.map(Number);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
setInterval(() => {
  const left = pids.filter(alive);
  if (left.length === 0) process.exit(0);
  if (!alive(parent)) {
    for (const pid of left) { try { process.kill(pid, 'SIGKILL'); } catch {} }
    if (dir) setTimeout(() => { require('node:fs').rmSync(dir, { recursive: true, force: true }); process.exit(0); }, 100);
    else process.exit(0);
  }
}, 250);`;

/**
 * Guards redis-servers: they are SIGKILLed when this process ends, however it ends (even by
 * SIGKILL, when no exit handler runs), and their data directory `dir` (if any) is removed. One
 * small watchdog process per call; it exits by itself once the servers are gone.
 * @param {number[]} pids
 * @param {string} [dir]
 */
export function guardPids(pids, dir = '') {
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG, String(process.pid), dir, ...pids.map(String)], {
    stdio: 'ignore',
  });
  watchdog.unref();
}

/**
 * Writes (`add`) or removes `<BULWARK_TEST_PID_DIR>/<pid>`, so the test command can stop the
 * redis-servers a crashed test left running. Does nothing outside the test command.
 * @param {number} pid
 * @param {boolean} add
 */
export function registerPid(pid, add) {
  const dir = process.env.BULWARK_TEST_PID_DIR;
  if (!dir) return;
  try {
    if (add) writeFileSync(join(dir, String(pid)), 'redis-server');
    else unlinkSync(join(dir, String(pid)));
  } catch {
    // the directory is gone (the test command ended) or the file was never written
  }
}

/**
 * A redis-server process on `port`, started (and restarted) with the same arguments; its pid
 * is registered and guarded, its output kept for error messages. The process never keeps this
 * one alive: `kill()` refs it only while waiting for the exit.
 * @param {number} port
 * @param {string[]} args every argument but `--port` and `--bind`
 */
export function redisProcess(port, args) {
  const state = { pid: 0, exited: true, output: '', child: undefined };
  const self = {
    port,
    get pid() {
      return state.pid;
    },
    get exited() {
      return state.exited;
    },
    get output() {
      return state.output;
    },
    /**
     * Spawns the server and resolves once it answers PING; rejects if it exits first.
     * `guard: false` leaves guarding its pid to the caller (one watchdog for many servers).
     */
    async start({ guard = true, timeoutMs = 10_000 } = {}) {
      const child = spawn('redis-server', ['--port', String(port), '--bind', HOST, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      state.child = child;
      state.exited = false;
      state.output = '';
      child.once('error', (error) => {
        state.exited = true;
        state.output += error.message;
      });
      if (child.pid === undefined) {
        await new Promise((resolve) => setImmediate(resolve));
        throw new Error(`redis-server could not start: ${state.output}`);
      }
      const pid = child.pid;
      state.pid = pid;
      registerPid(pid, true);
      if (guard) guardPids([pid]);
      child.stdout.on('data', (chunk) => {
        state.output += chunk;
      });
      child.stderr.on('data', (chunk) => {
        state.output += chunk;
      });
      child.once('exit', () => {
        state.exited = true;
        registerPid(pid, false);
      });
      child.unref();
      child.stdout.unref?.();
      child.stderr.unref?.();
      const deadline = Date.now() + timeoutMs;
      while ((await redisCommand(port, ['PING'], 500)) !== 'PONG') {
        if (state.exited) throw new Error(`redis-server on ${HOST}:${port} exited:\n${state.output}`);
        if (Date.now() > deadline) {
          self.stop();
          throw new Error(
            `redis-server did not answer PING on ${HOST}:${port} within ${timeoutMs} ms:\n${state.output}`,
          );
        }
        await sleep(50);
      }
    },
    /** SIGKILLs the server (a crash) and resolves once it has exited. */
    kill() {
      const child = state.child;
      if (!child || state.exited) return Promise.resolve();
      return new Promise((resolve) => {
        child.ref(); // the caller waits for the exit: keep the event loop alive until then
        child.once('exit', () => {
          child.unref();
          resolve();
        });
        child.kill('SIGKILL');
      });
    },
    /** Synchronous, so it also works from an `exit` handler: SIGKILLs the server if it runs. */
    stop() {
      if (state.exited || state.pid === 0) return;
      try {
        process.kill(state.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      registerPid(state.pid, false);
    },
  };
  return self;
}

/**
 * Starts a throwaway redis-server on a free loopback port (no persistence, `extraArgs` appended)
 * and resolves once it answers PING.
 * @param {{ extraArgs?: string[], dir?: string }} [options] `dir`: its working directory
 */
export async function startRedisServer(options = {}) {
  const port = await freePort();
  const args = ['--save', '', '--appendonly', 'no', '--loglevel', 'warning'];
  if (options.dir) args.push('--dir', options.dir);
  const server = redisProcess(port, [...args, ...(options.extraArgs ?? [])]);
  await server.start();
  return Object.assign(server, { url: `redis://${HOST}:${port}` });
}
