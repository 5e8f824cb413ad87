import { createQueueConsumer, createQueueProducer, defaultPolicies } from '@bulwark/delivery/cloudflare-queues';
import { err, problemResponse } from '@bulwark/errors';
import { createHealth, createHealthHandler } from '@bulwark/health';
import { createRateLimiter, withRateLimit } from '@bulwark/ratelimit';
import { createDurableObjectStore } from '@bulwark/ratelimit/durable-object';
import { type ReplayStore, type VerifiedWebhook, verifyStandardWebhook } from '@bulwark/webhooks';
import { requireAdmin } from './admin-auth.js';
import { createD1ReplayStore } from './d1-replay-store.js';
import { type Env, numberSetting } from './env.js';
import { readBody } from './read-body.js';
import { createRegistry, parseEndpointInput } from './registry.js';
import { createUpstream } from './upstream.js';

/** The largest request body read (inbound webhooks and admin JSON): 256 KiB; larger is a 413 problem. */
export const MAX_BODY_BYTES = 256 * 1024;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw err('validation_failed', { detail: 'Expected a JSON body' });
  }
}

async function readJson(request: Request): Promise<unknown> {
  return parseJson(new TextDecoder().decode(await readBody(request, MAX_BODY_BYTES)));
}

function parseEvent(input: unknown): { type: string; payload: unknown; id?: string } {
  const body = input as Record<string, unknown> | null;
  if (
    typeof body !== 'object' ||
    body === null ||
    typeof body.type !== 'string' ||
    !/^[\w.-]{1,100}$/.test(body.type)
  ) {
    throw err('validation_failed', { detail: 'Expected `type` to be an event type name' });
  }
  if (body.payload === undefined) throw err('validation_failed', { detail: 'Expected a `payload`' });
  if (body.id === undefined) return { type: body.type, payload: body.payload };
  if (typeof body.id !== 'string' || !/^[\w.-]{1,128}$/.test(body.id)) {
    throw err('validation_failed', { detail: 'Expected `id` to be 1-128 letters, digits, `_`, `.` or `-`' });
  }
  return { type: body.type, payload: body.payload, id: body.id };
}

/**
 * Everything one isolate keeps between requests: the limiter (decisions in the Durable Object),
 * the upstream breaker, the delivery consumer (its per-endpoint breakers) and the health registry.
 */
export function createApp(env: Env) {
  const registry = createRegistry(env.DB, env.SECRETS_KEY);
  const limiter = createRateLimiter({
    limit: numberSetting('RATE_LIMIT_PER_MINUTE', env.RATE_LIMIT_PER_MINUTE, 60),
    windowMs: 60_000,
    deadlineMs: numberSetting('RATE_LIMIT_DEADLINE_MS', env.RATE_LIMIT_DEADLINE_MS, 250),
    store: createDurableObjectStore({ namespace: env.RATE_LIMITER, prefix: 'client:' }),
  });
  const upstream = createUpstream(env.UPSTREAM_URL);
  const replays = createD1ReplayStore(env.DB);
  const producer = createQueueProducer({ queue: env.DELIVERIES, endpoints: () => registry.subscribers() });
  const consumer = createQueueConsumer({
    endpoint: (id) => registry.get(id),
    disable: (id, reason) => registry.disable(id, reason),
    markFailing: (id, since) => registry.markFailing(id, since),
    deadLetterQueue: env.DELIVERIES_DLQ,
    queue: env.DELIVERIES,
    policies: defaultPolicies({
      rateLimitStore: createDurableObjectStore({ namespace: env.RATE_LIMITER, prefix: 'endpoint:' }),
    }),
    ...(env.RETRY_SCHEDULE_MS ? { retrySchedule: env.RETRY_SCHEDULE_MS.split(',').map(Number) } : {}),
    egress: {
      allow: env.EGRESS_ALLOW ? env.EGRESS_ALLOW.split(',') : [],
      allowHttp: env.EGRESS_ALLOW_HTTP === 'true',
    },
    // One JSON line per message handled (Workers Logs): ids, attempt, outcome, error code, delay; no payload or secret.
    onAttempt: (event) => console.log(JSON.stringify({ msg: 'delivery_attempt', ...event })),
  });
  const health = createHealth({
    checks: [
      { name: 'd1', check: async () => Boolean(await env.DB.prepare('SELECT 1 AS ok').first()) },
      { name: 'upstream-breaker', critical: false, check: () => upstream.breaker.state !== 'open' },
    ],
  });
  const probes = createHealthHandler(health);

  /**
   * Verifies, claims the webhook id in D1 (shared by every isolate) and publishes. A correctly signed
   * webhook whose id was already taken within the tolerance window is the sender retrying: it is
   * acknowledged (200, `duplicate`) and not published again. A claim whose webhook was not taken
   * (not an event, publishing failed) is given back, so the sender's retry goes through.
   */
  async function inboundWebhook(request: Request): Promise<Response> {
    const body = await readBody(request, MAX_BODY_BYTES);
    let claimed: string | undefined;
    let duplicate = false;
    const replayStore: ReplayStore = {
      async claim(key, ttlMs, nowMs) {
        const fresh = await replays.claim(key, ttlMs, nowMs);
        if (fresh) claimed = key;
        else duplicate = true;
        return fresh;
      },
    };
    let event: VerifiedWebhook;
    try {
      event = await verifyStandardWebhook({
        secrets: env.INBOUND_WEBHOOK_SECRET,
        headers: request.headers,
        body,
        replayStore,
      });
    } catch (error) {
      // The signature matched and only the replay store refused (it is asked last).
      if (duplicate) return Response.json({ messageId: request.headers.get('webhook-id'), duplicate: true });
      throw error;
    }
    try {
      const { type, payload } = parseEvent(parseJson(new TextDecoder().decode(body)));
      return Response.json(await producer.publish({ type, payload, id: event.id }), { status: 202 });
    } catch (error) {
      if (claimed !== undefined) {
        await replays.release(claimed).catch(() => {
          console.log(JSON.stringify({ msg: 'inbound_replay_release_failed', id: event.id }));
        });
      }
      throw error;
    }
  }

  // Public routes: one budget per client (CF-Connecting-IP, withRateLimit's key on Workers).
  const publicRoutes = withRateLimit(limiter, async (request: Request) => {
    const { pathname } = new URL(request.url);
    if (request.method === 'POST' && pathname === '/webhooks/inbound') {
      return inboundWebhook(request);
    }
    if (request.method === 'GET' && pathname === '/api/quote') return upstream.quote();
    if (request.method === 'GET' && pathname === '/api/ping') return Response.json({ ok: true });
    throw err('not_found', { detail: `No route ${request.method} ${pathname.slice(0, 100)}` });
  });

  async function admin(request: Request, pathname: string): Promise<Response> {
    await requireAdmin(request, env);
    if (pathname === '/admin/endpoints' && request.method === 'POST') {
      const created = await registry.create(parseEndpointInput(await readJson(request)), Date.now());
      return Response.json(created, { status: 201 });
    }
    if (pathname === '/admin/endpoints' && request.method === 'GET') return Response.json(await registry.view());
    if (pathname === '/admin/events' && request.method === 'POST') {
      return Response.json(await producer.publish(parseEvent(await readJson(request))), { status: 202 });
    }
    if (pathname === '/admin/dead-letters' && request.method === 'GET') {
      return Response.json(await registry.deadLetters());
    }
    throw err('not_found', { detail: `No route ${request.method} ${pathname.slice(0, 100)}` });
  }

  return {
    consumer,
    registry,
    async fetch(request: Request): Promise<Response> {
      try {
        const { pathname } = new URL(request.url);
        if (pathname === '/health/readiness') await health.refresh();
        const probe = probes(request);
        if (probe) return probe;
        if (pathname.startsWith('/admin/')) return await admin(request, pathname);
        return await publicRoutes(request);
      } catch (error) {
        return problemResponse(error);
      }
    },
  };
}

/** The app of one isolate. */
export type App = ReturnType<typeof createApp>;
