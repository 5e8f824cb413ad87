// A throwaway Redis Cluster on loopback: masters with replicas (`redis-server --cluster-enabled
// yes` on free ports, joined by `redis-cli --cluster create`), ready once every node reports
// `cluster_state:ok`, knows every other node and every replica's link to its master is up.
// Plain JavaScript so the test command (scripts/test.mjs, no TypeScript loader) and the
// TypeScript helper `@bulwark/testing/own-cluster` share one implementation. Processes are
// stopped by PID, never by name (other Redis servers may run on the machine).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HOST = '127.0.0.1';

/** A free loopback port, not in `taken` (which it is added to). */
async function freePort(taken) {
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

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

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
 * Starts a Redis Cluster of `masters` masters with `replicas` replicas each on free loopback
 * ports, and resolves once it serves every slot on every node.
 * @param {{ masters?: number, replicas?: number, nodeTimeoutMs?: number, readyTimeoutMs?: number }} [options]
 *   `nodeTimeoutMs` is `cluster-node-timeout` (default 1000: a killed master is failed over in
 *   about two of them); `readyTimeoutMs` bounds the whole start (default 30000).
 */
export async function startRedisCluster(options = {}) {
  const masters = options.masters ?? 3;
  const replicas = options.replicas ?? 1;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1_000;
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-redis-cluster-'));
  const taken = new Set();
  /** @type {Array<{ host: string, port: number, pid: number, child: import('node:child_process').ChildProcess, exited: boolean, output: string }>} */
  const nodes = [];
  let stopped = false;

  function stop() {
    if (stopped) return;
    stopped = true;
    for (const node of nodes) {
      if (!node.exited) {
        try {
          process.kill(node.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      registerPid(node.pid, false);
    }
    rmSync(dir, { recursive: true, force: true });
  }

  try {
    const count = masters * (1 + replicas);
    for (let i = 0; i < count; i++) {
      const port = await freePort(taken);
      const busPort = await freePort(taken);
      const config = {
        port,
        'cluster-port': busPort,
        bind: HOST,
        save: '',
        appendonly: 'no',
        dir,
        loglevel: 'warning',
        'cluster-enabled': 'yes',
        'cluster-config-file': `nodes-${port}.conf`,
        'cluster-node-timeout': nodeTimeoutMs,
        // A replica may always take over, however long its link was down (tests kill masters).
        'cluster-replica-validity-factor': 0,
        'enable-debug-command': 'yes',
        // Replicas sync at once (the default waits 5 s for more replicas to share one transfer).
        'repl-diskless-sync-delay': 0,
      };
      const args = Object.entries(config).flatMap(([name, value]) => [`--${name}`, String(value)]);
      const node = { host: HOST, port, pid: 0, args, child: undefined, exited: false, output: '' };
      nodes.push(node);
      spawnNode(node);
    }
    const deadline = started + readyTimeoutMs;
    const until = async (what, check) => {
      while (!(await check())) {
        const dead = nodes.find((n) => n.exited);
        if (dead) throw new Error(`redis-server on ${HOST}:${dead.port} exited:\n${dead.output}`);
        if (Date.now() > deadline) throw new Error(`Redis Cluster not ready after ${readyTimeoutMs} ms: ${what}`);
        await sleep(50);
      }
    };
    guardPids(
      nodes.map((n) => n.pid),
      dir,
    );
    await until('PING', async () =>
      (await Promise.all(nodes.map((n) => redisCommand(n.port, ['PING'])))).every((r) => r === 'PONG'),
    );
    const created = await new Promise((resolve) => {
      const cli = spawn(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...nodes.map((n) => `${HOST}:${n.port}`),
          '--cluster-replicas',
          String(replicas),
          '--cluster-yes',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      cli.stdout.on('data', (chunk) => {
        output += chunk;
      });
      cli.stderr.on('data', (chunk) => {
        output += chunk;
      });
      cli.once('error', (error) => resolve({ code: 1, output: error.message }));
      cli.once('exit', (code) => resolve({ code, output }));
    });
    if (created.code !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.output}`);
    await until('cluster_state:ok on every node', () => healthy(nodes, count));
    return {
      nodes: nodes.map(({ host, port, pid }) => ({ host, port, pid })),
      /** `host:port,host:port,…` of every node (what REDIS_CLUSTER_NODES holds). */
      seeds: nodes.map((n) => `${n.host}:${n.port}`).join(','),
      /** Milliseconds the start took. */
      startMs: Date.now() - started,
      /** Whether the node on `port` has exited. */
      exited: (port) => nodes.find((n) => n.port === port)?.exited ?? true,
      /** SIGKILLs the node on `port` (a crash) and resolves once it has exited. */
      kill: (port) => kill(nodes, port),
      /**
       * Starts the killed node on `port` again with its data directory and cluster config (it
       * rejoins, as a replica of the master that replaced it); resolves once it answers PING.
       */
      restart: async (port) => {
        const node = nodes.find((n) => n.port === port);
        if (!node?.exited) throw new Error(`no exited node on port ${port}`);
        spawnNode(node);
        guardPids([node.pid]);
        while ((await redisCommand(port, ['PING'])) !== 'PONG') {
          if (node.exited) throw new Error(`redis-server on ${HOST}:${port} exited:\n${node.output}`);
          await sleep(50);
        }
      },
      /**
       * Resolves once every live node reports `cluster_state:ok` and every slot is served by a
       * live master (after a kill: once a replica was promoted); rejects after `timeoutMs`.
       */
      waitHealthy: (timeoutMs = 15_000) => waitHealthy(nodes, timeoutMs),
      /** The port of the master serving `key`'s slot now. */
      masterFor: (key) => masterFor(nodes, key),
      /** Synchronous, so it also works from an `exit` handler; SIGKILLs every node. */
      stop,
    };
  } catch (error) {
    stop();
    throw error;
  }
}

/** Spawns (or respawns) a node's redis-server with its arguments, recording its pid and exit. */
function spawnNode(node) {
  const child = spawn('redis-server', node.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  node.child = child;
  node.pid = /** @type {number} */ (child.pid);
  node.exited = false;
  node.output = '';
  registerPid(node.pid, true);
  child.stdout?.on('data', (chunk) => {
    node.output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    node.output += chunk;
  });
  child.once('exit', () => {
    node.exited = true;
    registerPid(child.pid, false);
  });
  child.unref();
  child.stdout?.unref?.();
  child.stderr?.unref?.();
}

/** Every live node: cluster_state ok, all nodes known, replicas linked to their master. */
async function healthy(nodes, count) {
  const live = nodes.filter((n) => !n.exited);
  const infos = await Promise.all(live.map((n) => redisCommand(n.port, ['CLUSTER', 'INFO'])));
  if (!infos.every((info) => info?.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${count}`))) {
    return false;
  }
  const replication = await Promise.all(live.map((n) => redisCommand(n.port, ['INFO', 'replication'])));
  return replication.every((info) => info?.includes('role:master') || info?.includes('master_link_status:up'));
}

function kill(nodes, port) {
  const node = nodes.find((n) => n.port === port);
  if (!node) return Promise.reject(new Error(`no node on port ${port}`));
  if (node.exited) return Promise.resolve();
  return new Promise((resolve) => {
    node.child.ref(); // the caller waits for the exit: keep the event loop alive until then
    node.child.once('exit', () => {
      node.child.unref();
      resolve();
    });
    node.child.kill('SIGKILL');
  });
}

/** `CLUSTER NODES` as seen by the node on `port`: rows of port, flags and slot ranges (empty when it does not answer). */
async function clusterNodesOf(port) {
  const text = await redisCommand(port, ['CLUSTER', 'NODES']);
  if (!text || text.startsWith('-')) return [];
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [, address, flags, , , , , , ...slots] = line.split(' ');
      return { port: Number(address?.split('@')[0]?.split(':')[1]), flags: flags?.split(',') ?? [], slots };
    });
}

async function waitHealthy(nodes, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = nodes.filter((n) => !n.exited);
    const infos = await Promise.all(live.map((n) => redisCommand(n.port, ['CLUSTER', 'INFO'])));
    if (infos.every((info) => info?.includes('cluster_state:ok'))) {
      const rows = await Promise.all(live.map((n) => clusterNodesOf(n.port)));
      const served = rows.every((table) =>
        table
          .filter((row) => row.slots.length > 0)
          .every((row) => !row.flags.includes('fail') && live.some((n) => n.port === row.port)),
      );
      const replication = await Promise.all(live.map((n) => redisCommand(n.port, ['INFO', 'replication'])));
      const linked = replication.every(
        (info) => info?.includes('role:master') || info?.includes('master_link_status:up'),
      );
      if (served && linked) return;
    }
    if (Date.now() > deadline) throw new Error(`Redis Cluster not healthy after ${timeoutMs} ms`);
    await sleep(50);
  }
}

async function masterFor(nodes, key) {
  const live = nodes.find((n) => !n.exited);
  if (!live) throw new Error('every node has exited');
  const slot = Number((await redisCommand(live.port, ['CLUSTER', 'KEYSLOT', key]))?.slice(1));
  for (const row of await clusterNodesOf(live.port)) {
    if (row.flags.includes('fail')) continue;
    for (const range of row.slots) {
      const [from, to = from] = range.split('-').map(Number);
      if (slot >= from && slot <= to) return row.port;
    }
  }
  throw new Error(`no master serves slot ${slot}`);
}
