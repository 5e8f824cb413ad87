import { createMemoryStore, createRateLimiter, type RateLimiter } from '@bulwark/ratelimit';
import { createRedisStore, redisClientOptions } from '@bulwark/ratelimit/redis';
import { Cluster, Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { ALGORITHM_IDS, DECIDE_SCRIPT, GCRA_SCRIPT } from '../../../packages/ratelimit/src/redis/lua.js';
import { redisServerCpuUs } from '../redis-cpu.js';
import { median, perRound, roundName, spread } from '../rounds.js';
import type { BenchCase, BenchResult, BenchSubject, BenchSuite } from '../suite.js';

const KEYS = Array.from({ length: 10_000 }, (_, i) => `user:${i}`);
const ALLOW = { limit: 1_000_000_000, windowMs: 1_000 };
const DENY = { limit: 1, windowMs: 3_600_000 };
const noop = (): void => {};
const quiet = { warn: noop };

function rotating(): () => string {
  let i = 0;
  return () => KEYS[i++ % KEYS.length] as string;
}

/** Rounds of the memory cases, interleaved, so drift on a shared machine shows as spread. */
const MEMORY_ROUNDS = 5;
const MEMORY_SCENARIOS = [
  'memory allow, hot key',
  'memory allow, 10,000 keys',
  'memory deny, hot key',
  'memory deny, 10,000 keys',
];

const BOUND = 'bound: clock read + one keyed read-modify-write + resolved promise';
const PREVIOUS_BOUND = 'previous bound: Map.set + clock read + resolved promise (no read)';

/**
 * The least any async limiter that reads the clock must do per decision: read the clock, find the
 * key's state with one keyed lookup, read it, write the new state on an allowing decision (a
 * denial consumes nothing, so it writes nothing), and resolve a promise with the decision, one
 * small object computed from the state read. The state is one number per key in a `Float64Array`, found through a
 * `Map<string, slot>`, as in the memory store: one `Map.get` and a typed-array read and write cost about
 * what one `Map.set` costs, less than a `Map.get` + `Map.set` pair; a `Map` of mutable per-key objects
 * is as fast when warm but slower over 10,000 keys (a pointer chase per key).
 */
function boundSubject(allow: boolean, nextKey: () => string): () => Promise<unknown> {
  const slots = new Map<string, number>();
  const state = new Float64Array(KEYS.length + 1);
  return () => {
    const key = nextKey();
    const now = Date.now();
    let slot = slots.get(key);
    if (slot === undefined) {
      slot = slots.size;
      slots.set(key, slot);
    }
    const next = Math.max(state[slot] as number, now) + 1;
    if (allow) state[slot] = next;
    return Promise.resolve({ allowed: allow, at: next });
  };
}

const SHAPED_BOUND = 'bound resolving the documented Decision shape (3 objects)';

/**
 * The bound, resolving with the shape every decision of `limit()` has by contract (a `Decision`
 * with its nine fields, its `policies` array and one `PolicyDecision`) instead of one small
 * object, each field computed from the state read. Not the goal's bound (that stays
 * {@link boundSubject}); it shows how much of the gap to the bound is the API's result itself.
 */
function shapedBoundSubject(allow: boolean, nextKey: () => string): () => Promise<unknown> {
  const slots = new Map<string, number>();
  const state = new Float64Array(KEYS.length + 1);
  const policy = { name: 'default', limit: 1 };
  return () => {
    const key = nextKey();
    const now = Date.now();
    let slot = slots.get(key);
    if (slot === undefined) {
      slot = slots.size;
      slots.set(key, slot);
    }
    const next = Math.max(state[slot] as number, now) + 1;
    if (allow) state[slot] = next;
    const left = next - now;
    return Promise.resolve({
      allowed: allow,
      reason: allow ? 'ok' : 'limited',
      degraded: false,
      limit: policy.limit,
      remaining: left,
      resetMs: left,
      retryAfterMs: allow ? 0 : left,
      policy: policy.name,
      policies: [{ policy, allowed: allow, remaining: left, resetMs: left, retryAfterMs: allow ? 0 : left }],
    });
  };
}

const GCRA_BOUND = "GCRA bound: the default algorithm's arithmetic resolving the documented Decision";

/**
 * The least a limiter with this API and its default algorithm must do: the shaped bound's keyed
 * state and `Decision`, with the decision computed by GCRA as the memory store computes it (the
 * emission interval, the theoretical arrival time, both written on an allowance, the documented
 * rounding of `remaining`, `resetMs` and `retryAfterMs`) instead of `max(state, now) + 1`. Written
 * here, independent of the package, so it cannot inherit the package's costs; no key checks, no
 * store health, no injected clock, no failure path. If this subject runs below the goal's ratio of
 * {@link boundSubject}, the goal asks for less work than the contract requires.
 */
function gcraBoundSubject(policy: { limit: number; windowMs: number }, nextKey: () => string): () => Promise<unknown> {
  const slots = new Map<string, number>();
  const state = new Float64Array(2 * (KEYS.length + 1));
  const resolved = { name: 'default', ...policy };
  const interval = policy.windowMs / policy.limit;
  const ttlMs = 2 * policy.windowMs;
  const epsilon = 1e-6;
  return () => {
    const key = nextKey();
    const now = Date.now();
    const slot = slots.get(key);
    const { limit, windowMs } = resolved;
    const tat = Math.max(slot !== undefined && (state[slot] as number) > now ? (state[slot + 1] as number) : 0, now);
    const newTat = tat + interval;
    const wait = newTat - windowMs - now;
    const allowed = !(wait > epsilon);
    const held = allowed ? newTat : tat;
    const remaining = (windowMs - (held - now)) / interval;
    const resetMs = held - now;
    const outcome = {
      policy: resolved,
      allowed,
      remaining: remaining > 0 ? Math.floor(remaining + epsilon) : 0,
      resetMs: resetMs > 0 ? Math.ceil(resetMs - epsilon) : 0,
      retryAfterMs: allowed || wait <= 0 ? 0 : Math.max(1, Math.ceil(wait - epsilon)),
    };
    if (allowed) {
      let at = slot;
      if (at === undefined) {
        at = 2 * slots.size;
        slots.set(key, at);
      }
      state[at + 1] = newTat;
      state[at] = now + ttlMs;
    }
    return Promise.resolve({
      allowed,
      reason: allowed ? 'ok' : 'limited',
      degraded: false,
      limit,
      remaining: outcome.remaining,
      resetMs: outcome.resetMs,
      retryAfterMs: outcome.retryAfterMs,
      policy: resolved.name,
      policies: [outcome],
    });
  };
}

/** `items` rotated left by `by`: each round measures the subjects in another order, so order effects show as spread. */
function rotated<T>(items: readonly T[], by: number): T[] {
  const n = by % items.length;
  return [...items.slice(n), ...items.slice(0, n)];
}

/** Memory store: ours vs rate-limiter-flexible's RateLimiterMemory; the floor is a bare Map counter. */
function memoryCases(round: number): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const [path, policy] of [
    ['allow', ALLOW],
    ['deny', DENY],
  ] as const) {
    for (const [label, nextKey] of [
      ['hot key', () => 'hot'],
      ['10,000 keys', rotating()],
    ] as const) {
      const ours = createRateLimiter({ ...policy, store: createMemoryStore({ maxKeys: 20_000 }), logger: quiet });
      // The same store's decision without the limiter around it (key check, fail-closed wrapper, Decision).
      const store = createMemoryStore({ maxKeys: 20_000 });
      const storePolicies = ours.policies;
      const theirs = new RateLimiterMemory({ points: policy.limit, duration: policy.windowMs / 1000 });
      const counts = new Map<string, number>();
      const previous = new Map<string, number>();
      cases.push({
        name: roundName(`memory ${path}, ${label}`, round, MEMORY_ROUNDS),
        subjects: rotated(
          [
            { name: 'Map counter (floor)', floor: true, fn: () => counts.set(nextKey(), 1) },
            { name: BOUND, fn: boundSubject(path === 'allow', nextKey) },
            { name: SHAPED_BOUND, fn: shapedBoundSubject(path === 'allow', nextKey) },
            { name: GCRA_BOUND, fn: gcraBoundSubject(policy, nextKey) },
            // Kept so this run can be compared with earlier ones: it writes without reading the state.
            { name: PREVIOUS_BOUND, fn: () => Promise.resolve(previous.set(nextKey(), Date.now())) },
            { name: '@bulwark/ratelimit memory', fn: () => ours.limit(nextKey()) },
            {
              name: 'memory store decide() + resolved promise (no limiter)',
              fn: () => Promise.resolve(store.decide(nextKey(), storePolicies, 1)),
            },
            { name: 'rate-limiter-flexible memory', fn: () => theirs.consume(nextKey()).catch(noop) },
          ],
          3 * (round - 1),
        ),
      });
    }
  }
  return cases;
}

function memorySummary(results: readonly BenchResult[]): string[] {
  const lines = [`memory decisions/s, ratios within each round (${MEMORY_ROUNDS} interleaved rounds):`];
  for (const name of MEMORY_SCENARIOS) {
    const ratio = (a: string, b: string) => spread(perRound(results, name, (ops) => ops(a) / ops(b)));
    const ours = '@bulwark/ratelimit memory';
    lines.push(
      `  ${name}`,
      `    ours ÷ bound ${ratio(ours, BOUND)} (goal ≥ 0.90)`,
      `    store decide() alone ÷ bound ${ratio('memory store decide()', BOUND)}`,
      `    ours ÷ bound resolving the Decision shape ${ratio(ours, SHAPED_BOUND)}; that bound ÷ bound ${ratio(SHAPED_BOUND, BOUND)}`,
      `    ours ÷ GCRA bound ${ratio(ours, 'GCRA bound')}; GCRA bound ÷ bound ${ratio('GCRA bound', BOUND)} (below 0.90: the goal asks for less than the contract's work)`,
      `    ours ÷ rate-limiter-flexible ${ratio(ours, 'rate-limiter-flexible')}`,
      `    ours ÷ previous bound ${ratio(ours, PREVIOUS_BOUND)}; bound ÷ previous bound ${ratio(BOUND, PREVIOUS_BOUND)}`,
    );
  }
  return lines;
}

const clients: Redis[] = [];
const clusterClients: Cluster[] = [];

/** A client of the Redis Cluster named by REDIS_CLUSTER_NODES (`host:port,…`), or undefined. */
async function clusterClient(): Promise<Cluster | undefined> {
  const seeds = process.env.REDIS_CLUSTER_NODES;
  if (!seeds) return undefined;
  const nodes = seeds.split(',').map((seed) => {
    const [host, port] = seed.split(':');
    return { host: host as string, port: Number(port) };
  });
  const c = new Cluster(nodes, { enableOfflineQueue: false, redisOptions: redisClientOptions() });
  c.on('error', noop);
  clusterClients.push(c);
  if (c.status !== 'ready') await new Promise((resolve) => c.once('ready', resolve));
  return c;
}

/**
 * Scripts whose cost inside Redis is printed after the run (allow path, hot key): `send` makes
 * one EVALSHA deciding `decisions` decisions (64 for a batch like the one our store sends when
 * 64 decisions are started in one tick).
 */
const serverCostProbes: Array<{
  readonly label: string;
  readonly decisions: number;
  readonly send: () => Promise<unknown>;
}> = [];

/**
 * Microseconds Redis spends per decision (from INFO commandstats after a RESETSTAT): 20,000
 * decisions, 64 in flight (64 one-decision calls at a time, or one 64-decision call).
 */
async function serverMicrosPerDecision(admin: Redis, probe: (typeof serverCostProbes)[number]): Promise<number> {
  await admin.config('RESETSTAT');
  const calls = 64 / probe.decisions;
  for (let i = 0; i < 20_000; i += 64) await Promise.all(Array.from({ length: calls }, probe.send));
  const stats = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(await admin.info('commandstats'));
  return stats ? Number(stats[2]) / (Number(stats[1]) * probe.decisions) : Number.NaN;
}

async function client(): Promise<Redis> {
  const c = new Redis(process.env.REDIS_URL as string, redisClientOptions());
  c.on('error', noop);
  clients.push(c);
  if (c.status !== 'ready') await new Promise((resolve) => c.once('ready', resolve));
  return c;
}

function inFlight(n: number, fn: () => Promise<unknown>): () => Promise<unknown> {
  if (n === 1) return fn;
  return () => Promise.all(Array.from({ length: n }, fn));
}

/** Calls the Lua script rate-limiter-flexible registers on its client, without its JS around it. */
type IncrScriptClient = { rlflxIncr(args: string[]): Promise<unknown> };

/** A script that does nothing with its one key: what any one-key EVALSHA costs (the floor). */
const TRIVIAL_SCRIPT = 'return 1';
/**
 * The Redis work a decision with our semantics cannot do without, made the way our store makes
 * its calls (one EVALSHA for the decisions started in one tick): read the server clock once per
 * call (so app clocks do not skew decisions, and the deadline can be checked), read the batch's
 * keys (one `MGET`, as our scripts do), then per decision write its key back with an expiry
 * (`PSETEX`, the cheapest write with an expiry, as our scripts do), and reply with one integer
 * per decision. No arithmetic, and the values read are
 * not even parsed. The bound of any server-clock limiter that keeps per-key state in Redis,
 * batched like ours; at 1 in flight it is the one-decision call.
 */
const SERVER_CLOCK_BOUND_SCRIPT = `local t = redis.call('TIME')
local now = t[1] * 1000 + t[2] / 1000
local read = redis.call('MGET', unpack(KEYS))
local out = {}
for i = 1, #KEYS do
  redis.call('PSETEX', KEYS[i], '2000', now)
  out[i] = 1
end
out[#KEYS + 1] = now
return out`;

/**
 * CPU per decision of each Redis subject, per round: this process (client and subject, every
 * thread: V8's GC and compiler threads too) and redis-server (`INFO cpu`), sampled before and
 * after each subject's measured run (not its warm-up), so steadier than rates on a shared machine.
 * Keyed by scenario title (rounds merged), then subject.
 */
const redisCpu = new Map<string, Map<string, { node: number[]; redis: number[] }>>();
let cpuInfo: Redis | undefined;

async function serverCpuUs(): Promise<number> {
  return cpuInfo ? redisServerCpuUs(cpuInfo) : Number.NaN;
}

/** `subject` counting its calls, with CPU samples around its measured run (`decisions` per call). */
function metered(title: string, decisions: number, subject: BenchSubject): BenchSubject {
  let calls = 0;
  let start: { node: number; redis: number } | undefined;
  const fn = subject.fn;
  return {
    ...subject,
    fn: () => {
      calls++;
      return fn();
    },
    setup: async (mode?: unknown) => {
      start = undefined;
      if (mode === 'warmup') return;
      const redis = await serverCpuUs();
      const usage = process.cpuUsage();
      calls = 0;
      start = { node: usage.user + usage.system, redis };
    },
    teardown: async () => {
      if (start === undefined || calls === 0) return;
      const usage = process.cpuUsage();
      const node = usage.user + usage.system - start.node;
      const redis = (await serverCpuUs()) - start.redis;
      const bySubject = redisCpu.get(title) ?? new Map<string, { node: number[]; redis: number[] }>();
      const entry = bySubject.get(subject.name) ?? { node: [], redis: [] };
      entry.node.push(node / (calls * decisions));
      entry.redis.push(redis / (calls * decisions));
      bySubject.set(subject.name, entry);
      redisCpu.set(title, bySubject);
    },
  };
}

/** Interleaved rounds of the Redis cases (each scenario's subjects are built once and reused). */
const REDIS_ROUNDS = 3;
const REDIS_SCENARIOS = [
  ['allow, hot key', ALLOW, () => 'hot'],
  ['deny, hot key', DENY, () => 'hot'],
  ['allow, 10,000 keys', ALLOW, rotating()],
] as const;

function redisTitle(label: string, flight: number): string {
  return `redis ${label}, ${flight} in flight${flight > 1 ? ' (ops/s = batches)' : ''}`;
}

/**
 * Redis: ours vs RateLimiterRedis, in interleaved rounds. The floor is a bare EVALSHA of a
 * trivial one-key script on our limiter's own connection, at the same concurrency. Raw ioredis
 * EVALSHA of our GCRA script (so `ours ÷ raw` is our client-side overhead) and of
 * rate-limiter-flexible's script show how much of any gap is the scripts' cost inside Redis;
 * the server-clock bound script (TIME once, one MGET, SET per decision, no arithmetic) shows what a limiter that reads
 * Redis time must pay at least (theirs is INCRBY/PTTL and reads no clock).
 */
async function redisCases(): Promise<BenchCase[]> {
  const run = `bench${Date.now()}`;
  const scenarios: Array<{ readonly title: string; readonly subjects: BenchCase['subjects'] }> = [];
  for (const flight of [1, 64]) {
    for (const [label, policy, nextKey] of REDIS_SCENARIOS) {
      const ourClient = await client();
      const oursFixed: RateLimiter = createRateLimiter({
        ...policy,
        algorithm: 'fixed-window',
        store: createRedisStore({ client: await client(), prefix: `${run}:f:` }),
        logger: quiet,
      });
      const ours: RateLimiter = createRateLimiter({
        ...policy,
        store: createRedisStore({ client: ourClient, prefix: `${run}:o:` }),
        logger: quiet,
      });
      const duration = policy.windowMs / 1000;
      const theirs = new RateLimiterRedis({
        storeClient: await client(),
        points: policy.limit,
        duration,
        keyPrefix: `${run}:t`,
      });
      const theirRaw = await client();
      new RateLimiterRedis({ storeClient: theirRaw, points: policy.limit, duration }); // registers rlflxIncr
      const theirArgs = ['1', String(duration), String(policy.limit), String(duration)];
      const theirScript = (key: string) => (theirRaw as unknown as IncrScriptClient).rlflxIncr([key, ...theirArgs]);
      const raw = await client();
      // The store sends a one-GCRA-policy limiter to GCRA_SCRIPT, other limiters to DECIDE_SCRIPT.
      const sha = (await raw.script('LOAD', GCRA_SCRIPT)) as string;
      const decideSha = (await raw.script('LOAD', DECIDE_SCRIPT)) as string;
      const trivialSha = (await ourClient.script('LOAD', TRIVIAL_SCRIPT)) as string;
      const boundSha = (await raw.script('LOAD', SERVER_CLOCK_BOUND_SCRIPT)) as string;
      // What the store sends: the keys of the tick's decisions, limit and window, no deadline, no
      // time override (''), and the cost once (every decision of the batch costs 1).
      const policyArgs = [String(policy.limit), String(policy.windowMs), '0', '', '1'];
      const suffix = `}:default:${ALGORITHM_IDS.gcra}:${policy.limit}:${policy.windowMs}`;
      const batchOf = (keys: string[]) => [...keys, ...policyArgs];
      const fixedOf = (keys: string[]) => [...keys, '1', '4', ...policyArgs];
      if (flight === 1 && policy === ALLOW && label.includes('hot')) {
        const hot64 = (key: string) => Array.from({ length: 64 }, () => key);
        const distinct = rotating();
        const distinct64 = (head: string) => Array.from({ length: 64 }, () => `${head}:{${distinct()}${suffix}`);
        serverCostProbes.push(
          {
            label: 'trivial one-key script (floor)',
            decisions: 1,
            send: () => raw.evalsha(trivialSha, 1, `${run}:r:{hot}:z`),
          },
          {
            label: 'server-clock bound (TIME + MGET + SET), one decision per call',
            decisions: 1,
            send: () => raw.evalsha(boundSha, 1, `${run}:r:{hot}:b`),
          },
          {
            label: 'server-clock bound (TIME and MGET once, SET per decision), 64 decisions per call',
            decisions: 64,
            send: () => raw.evalsha(boundSha, 64, ...hot64(`${run}:r:{hot}:b64`)),
          },
          {
            label: 'GCRA script, one decision per call',
            decisions: 1,
            send: () => raw.evalsha(sha, 1, ...batchOf([`${run}:r:{hot}`])),
          },
          {
            label: 'GCRA script, 64 decisions per call (one tick of 64 in flight)',
            decisions: 64,
            send: () => raw.evalsha(sha, 64, ...batchOf(hot64(`${run}:r:{hot}:64`))),
          },
          {
            label: 'GCRA script, 64 distinct keys per call (of 10,000)',
            decisions: 64,
            send: () => raw.evalsha(sha, 64, ...batchOf(distinct64(`${run}:r:d`))),
          },
          {
            label: 'server-clock bound, 64 distinct keys per call (of 10,000)',
            decisions: 64,
            send: () => raw.evalsha(boundSha, 64, ...distinct64(`${run}:r:b`)),
          },
          {
            label: 'decide script, fixed-window, one decision per call',
            decisions: 1,
            send: () => raw.evalsha(decideSha, 1, ...fixedOf([`${run}:r:{hot}:f`])),
          },
          {
            label: 'decide script, fixed-window, 64 decisions per call',
            decisions: 64,
            send: () => raw.evalsha(decideSha, 64, ...fixedOf(hot64(`${run}:r:{hot}:f64`))),
          },
          {
            label: 'rate-limiter-flexible script (one decision per call)',
            decisions: 1,
            send: () => theirScript(`${run}:x:hot`),
          },
        );
      }
      const cluster = await clusterClient();
      const onCluster =
        cluster &&
        createRateLimiter({
          ...policy,
          store: createRedisStore({ client: cluster, prefix: `${run}:c:` }),
          logger: quiet,
        });
      scenarios.push({
        title: redisTitle(label, flight),
        subjects: [
          ...(onCluster
            ? [
                {
                  name: '@bulwark/ratelimit Redis Cluster, 3 masters (gcra)',
                  fn: inFlight(flight, () => onCluster.limit(nextKey())),
                },
              ]
            : []),
          {
            name: 'ioredis EVALSHA of a trivial one-key script, same connection (floor)',
            floor: true,
            fn: inFlight(flight, () => ourClient.evalsha(trivialSha, 1, `${run}:z:{${nextKey()}}`)),
          },
          {
            // Our key format (the keys our store would name), so key lengths match ours.
            name: 'ioredis EVALSHA of TIME + MGET once, SET per decision, batched like ours (server-clock bound)',
            fn: () => {
              const keys = Array.from({ length: flight }, () => `${run}:b:{${nextKey()}${suffix}`);
              return raw.evalsha(boundSha, flight, ...keys);
            },
          },
          {
            // The call our store makes for the tick's `flight` decisions, without our JS around it.
            name: 'ioredis EVALSHA of the GCRA script, the batch ours sends (raw)',
            fn: () => {
              const keys = Array.from({ length: flight }, () => `${run}:r:{${nextKey()}${suffix}`);
              return raw.evalsha(sha, flight, ...batchOf(keys));
            },
          },
          { name: '@bulwark/ratelimit redis (gcra)', fn: inFlight(flight, () => ours.limit(nextKey())) },
          { name: '@bulwark/ratelimit redis (fixed-window)', fn: inFlight(flight, () => oursFixed.limit(nextKey())) },
          { name: 'rate-limiter-flexible redis', fn: inFlight(flight, () => theirs.consume(nextKey()).catch(noop)) },
          {
            name: 'ioredis EVALSHA rate-limiter-flexible script (reference)',
            fn: inFlight(flight, () => theirScript(`${run}:x:${nextKey()}`)),
          },
        ],
      });
    }
  }
  cpuInfo = await client();
  const metering = scenarios.map(({ title, subjects }) => ({
    title,
    subjects: subjects.map((subject) => metered(title, Number(/(\d+) in flight/.exec(title)?.[1] ?? 1), subject)),
  }));
  return Array.from({ length: REDIS_ROUNDS }, (_, r) =>
    metering.map(({ title, subjects }) => ({ name: roundName(title, r + 1, REDIS_ROUNDS), subjects })),
  ).flat();
}

function redisSummary(results: readonly BenchResult[]): string[] {
  const lines = [`Redis decisions/s, ratios within each round (${REDIS_ROUNDS} interleaved rounds):`];
  for (const flight of [1, 64]) {
    for (const [label] of REDIS_SCENARIOS) {
      const name = redisTitle(label, flight);
      const ratio = (a: string, b: string) => perRound(results, name, (ops) => ops(a) / ops(b));
      const ours = '@bulwark/ratelimit redis (gcra)';
      const fixed = '@bulwark/ratelimit redis (fixed-window)';
      const rlf = 'rate-limiter-flexible redis';
      const floor = 'ioredis EVALSHA of a trivial';
      const rows = [
        `ours (gcra) ÷ rate-limiter-flexible ${spread(ratio(ours, rlf))} (goal ≥ 1.0)`,
        `ours (fixed-window) ÷ rate-limiter-flexible (fixed window) ${spread(ratio(fixed, rlf))} (goal ≥ 1.0)`,
        `ours (gcra) ÷ trivial-script floor ${spread(ratio(ours, floor))} (goal ≥ 0.9)`,
        `ours (fixed-window) ÷ trivial-script floor ${spread(ratio(fixed, floor))} (goal ≥ 0.9)`,
        `ours ÷ our raw script call ${spread(ratio(ours, 'ioredis EVALSHA of the GCRA'))}`,
        `ours (gcra) ÷ server-clock bound ${spread(ratio(ours, 'ioredis EVALSHA of TIME'))}`,
        `server-clock bound ÷ floor ${spread(ratio('ioredis EVALSHA of TIME', floor))}`,
        `rate-limiter-flexible ÷ floor ${spread(ratio(rlf, floor))}`,
      ];
      if (rows.some((r) => !r.includes('NaN'))) lines.push(`  ${name}`, ...rows.map((r) => `    ${r}`));
      const cpu = redisCpu.get(name);
      if (cpu === undefined || flight === 1) continue;
      lines.push('    CPU µs per decision (median of rounds): this process + redis-server = total');
      for (const [subject, { node, redis }] of cpu) {
        const total = median(node) + median(redis);
        lines.push(
          `      ${subject.slice(0, 60).padEnd(60)} ${median(node).toFixed(2)} + ${median(redis).toFixed(2)} = ${total.toFixed(2)}`,
        );
      }
    }
  }
  return lines;
}

/** Decisions per second of the limiters, memory and (with REDIS_URL) Redis, with peer ratios. */
export const suite: BenchSuite = {
  name: 'ratelimit',
  description:
    'limit() on memory and Redis stores vs rate-limiter-flexible; floors: a bare Map write, raw ioredis EVALSHA',
  cases: async () => [
    ...Array.from({ length: MEMORY_ROUNDS }, (_, r) => memoryCases(r + 1)).flat(),
    ...(process.env.REDIS_URL && !process.env.BENCH_MEMORY_ONLY ? await redisCases() : []),
  ],
  summary: (results) => [...memorySummary(results), ...redisSummary(results)],
  dispose: async () => {
    if (clients.length === 0) return;
    const admin = clients[0] as Redis;
    // Interleaved rounds of every probe, so drift on the shared machine shows as spread.
    const probes = serverCostProbes.splice(0);
    const micros = probes.map((): number[] => []);
    for (let round = 0; round < REDIS_ROUNDS; round++) {
      for (const [i, probe] of probes.entries()) micros[i]?.push(await serverMicrosPerDecision(admin, probe));
    }
    for (const [i, probe] of probes.entries()) {
      const rounds = micros[i] as number[];
      console.log(
        `Redis-side µs per decision (INFO commandstats, 64 in flight), ${probe.label}: ${spread(rounds)} (${REDIS_ROUNDS} interleaved rounds)`,
      );
    }
    const keys = await clients[0]?.keys('bench*');
    if (keys && keys.length > 0) await clients[0]?.del(...keys);
    for (const c of clients) c.disconnect();
    for (const c of clusterClients.splice(0)) {
      for (const node of c.nodes('master')) for (const key of await node.keys('bench*')) await c.del(key);
      c.disconnect();
    }
  },
};
