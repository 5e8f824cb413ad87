// A throwaway Redis Cluster on loopback: masters with replicas (`redis-server --cluster-enabled
// yes` on free ports, joined by `redis-cli --cluster create`), ready once every node reports
// `cluster_state:ok`, knows every other node and every replica's link to its master is up.
// Plain JavaScript so the test command (scripts/test.mjs, no TypeScript loader) and the
// TypeScript helper `@bulwark/testing/own-cluster` share one implementation. Processes are
// stopped by PID, never by name (other Redis servers may run on the machine).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, guardPids, HOST, redisCommand, redisProcess, sleep } from './redis-server.mjs';

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
  /** @type {Array<ReturnType<typeof redisProcess>>} */
  const nodes = [];
  let stopped = false;

  function stop() {
    if (stopped) return;
    stopped = true;
    for (const node of nodes) node.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  try {
    const count = masters * (1 + replicas);
    for (let i = 0; i < count; i++) {
      const port = await freePort(taken);
      const busPort = await freePort(taken);
      const config = {
        'cluster-port': busPort,
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
      nodes.push(redisProcess(port, args));
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
    await Promise.all(nodes.map((n) => n.start({ guard: false, timeoutMs: readyTimeoutMs })));
    guardPids(
      nodes.map((n) => n.pid),
      dir,
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
      nodes: nodes.map(({ port, pid }) => ({ host: HOST, port, pid })),
      /** `host:port,host:port,…` of every node (what REDIS_CLUSTER_NODES holds). */
      seeds: nodes.map((n) => `${HOST}:${n.port}`).join(','),
      /** Milliseconds the start took. */
      startMs: Date.now() - started,
      /** Whether the node on `port` has exited. */
      exited: (port) => nodes.find((n) => n.port === port)?.exited ?? true,
      /** SIGKILLs the node on `port` (a crash) and resolves once it has exited. */
      kill: async (port) => nodeOn(nodes, port).kill(),
      /**
       * Starts the killed node on `port` again with its data directory and cluster config (it
       * rejoins, as a replica of the master that replaced it); resolves once it answers PING.
       */
      restart: async (port) => {
        const node = nodes.find((n) => n.port === port);
        if (!node?.exited) throw new Error(`no exited node on port ${port}`);
        await node.start();
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

function nodeOn(nodes, port) {
  const node = nodes.find((n) => n.port === port);
  if (!node) throw new Error(`no node on port ${port}`);
  return node;
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
