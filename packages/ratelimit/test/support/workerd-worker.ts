// The Worker the workerd tests run (bundled with esbuild, executed by miniflare's workerd): a rate
// limiter over the Durable Object store, objects that throw or stall, and a memory limiter to compare.
// Copies of it run as further Workers (each its own isolate) bound to the first one's objects.
import {
  createDurableObjectStore,
  type DurableObjectNamespaceLike,
  RateLimitDurableObject,
} from '../../src/durable-object.js';
import { type Algorithm, createMemoryStore, createRateLimiter, type RateLimiter } from '../../src/index.js';

export { RateLimitDurableObject };

/** An object whose every request throws. */
export class ThrowingObject {
  async fetch(): Promise<Response> {
    throw new Error('object crashed');
  }
}

/** An object that answers only after 30 s. */
export class StallingObject {
  async fetch(): Promise<Response> {
    await new Promise((resolve) => setTimeout(resolve, 30_000));
    return new Response('{"outcomes":[]}');
  }
}

interface Env {
  readonly RATE_LIMITER: DurableObjectNamespaceLike;
  readonly THROWING: DurableObjectNamespaceLike;
  readonly STALLING: DurableObjectNamespaceLike;
}

const quiet = { warn() {} };
/** This isolate's id: module state is per isolate, so Workers answering with different ids ran in different isolates. */
let isolate: string | undefined;
const memory = new Map<string, RateLimiter>();

function limiterFor(url: URL, env: Env): RateLimiter {
  const limit = Number(url.searchParams.get('limit') ?? '10');
  const algorithm = (url.searchParams.get('algorithm') ?? 'gcra') as Algorithm;
  const deadlineMs = Number(url.searchParams.get('deadline') ?? '1000');
  const backend = url.searchParams.get('store') ?? 'do';
  if (backend === 'memory') {
    const id = `${limit}:${algorithm}`;
    let found = memory.get(id);
    if (found === undefined) {
      found = createRateLimiter({ limit, windowMs: 60_000, algorithm, store: createMemoryStore() });
      memory.set(id, found);
    }
    return found;
  }
  const namespace = backend === 'throw' ? env.THROWING : backend === 'stall' ? env.STALLING : env.RATE_LIMITER;
  const shards = url.searchParams.get('shards');
  return createRateLimiter({
    limit,
    windowMs: 60_000,
    algorithm,
    deadlineMs,
    logger: quiet,
    store: createDurableObjectStore({ namespace, shards: shards === null ? undefined : Number(shards) }),
  });
}

// biome-ignore lint/style/noDefaultExport: workerd runs a module Worker's default export.
export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const limiter = limiterFor(url, env);
    const key = url.searchParams.get('key') ?? 'k';
    if (url.pathname === '/loop') {
      // Sequential decisions inside the Worker; Date.now() advances only across I/O in workerd.
      const n = Number(url.searchParams.get('n') ?? '100');
      const started = Date.now();
      let allowed = 0;
      for (let i = 0; i < n; i++) if ((await limiter.limit(key)).allowed) allowed++;
      return Response.json({ allowed, ms: Date.now() - started });
    }
    isolate ??= crypto.randomUUID();
    const started = Date.now();
    const decision = await limiter.limit(key);
    return Response.json({ allowed: decision.allowed, reason: decision.reason, ms: Date.now() - started, isolate });
  },
};
