/**
 * The fixture of `pnpm bench history` (bench/src/suites/history.ts): the app in process on
 * embedded defaults, 10 000 deliveries in the store and a full hour of history behind it
 * (10 000 attempts, publishes, errors on 6 codes, latency on 8 routes, breaker transitions on
 * 20 endpoints and DLQ samples, spread over 360 buckets by a hand-driven clock). `poll()` adds one
 * dashboard poll's worth of traffic (5 s; every other poll opens a new bucket, so the window
 * slides and the history body must be rebuilt).
 */
import type { NewDelivery } from '@bulwark/delivery';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createServices } from '../src/services.js';

/** Deliveries seeded in the store. */
export const HISTORY_DELIVERIES = 10_000;

/** The app with an hour of history; `request` is `app.request` with the admin token. */
export interface HistoryFixture {
  request(path: string, headers?: Record<string, string>): Promise<Response>;
  /** 5 s of traffic: attempts, publishes, errors, latency samples, a breaker and DLQ sample. */
  poll(): void;
  close(): Promise<void>;
}

/** Builds the fixture: seeds the store and lays down one hour of history without waiting for it. */
export async function createHistoryFixture(): Promise<HistoryFixture> {
  const token = `bench-${crypto.randomUUID()}`;
  const config = loadConfig({ ADMIN_TOKEN: token, DATA_DIR: ':memory:', LOG_LEVEL: 'error' });
  let nowMs = Date.UTC(2026, 10, 22);
  const clock = { now: () => nowMs };
  const { services } = createServices(config, createLogger('error'), clock);
  const app = createApp(services);
  const history = services.history;
  const endpoints = Array.from({ length: 20 }, (_, i) => `ep_${i}`);
  const routes = ['POST /events', 'GET /events/:id', 'POST /email/send', 'POST /webhooks/email/:provider'].flatMap(
    (r) => [r, `${r}/v2`],
  );
  const codes = ['not_found', 'unauthorized', 'rate_limited', 'validation_failed', 'payload_too_large', 'forbidden'];

  const batch: NewDelivery[] = [];
  for (let i = 0; i < HISTORY_DELIVERIES; i++) {
    const messageId = `bench_${i}`;
    const endpointId = endpoints[i % endpoints.length] as string;
    batch.push({
      id: `${messageId}:${endpointId}`,
      messageId,
      endpointId,
      eventType: 'bench',
      payload: '{}',
      createdAt: nowMs,
      nextAt: nowMs + 86_400_000,
    });
  }
  await services.delivery?.store.enqueue(batch);

  // ~14 attempts and publishes, 6 errors, 10 latency samples per route: 10 000 attempts an hour.
  let step = 0;
  let attempts = 0;
  const poll = () => {
    for (const end = attempts + HISTORY_DELIVERIES / 720; attempts < end; attempts++) {
      const outcome = attempts % 17 === 0 ? 'dead' : attempts % 5 === 0 ? 'retry' : 'succeeded';
      history.attempt({
        endpointId: endpoints[attempts % 20] as string,
        outcome,
        errorCode: null,
        statusCode: outcome === 'succeeded' ? 204 : 500,
      });
      history.publish();
    }
    for (let i = 0; i < 6; i++) history.error(codes[(step + i) % codes.length] as string);
    for (const route of routes) for (let i = 0; i < 10; i++) history.request(route, 5 + ((step * 31 + i * 7) % 200));
    if (step % 18 === 0) history.breaker(endpoints[step % 20] as string, step % 36 === 0 ? 'open' : 'closed');
    history.dlqDepth(step % 40);
    nowMs += 5_000;
    step++;
  };
  while (step < 720) poll(); // one hour, 360 buckets, before the first request
  for (const route of routes) for (let i = 0; i < 100; i++) services.slo.record(route, 5 + i, 'ok');

  return {
    request: async (path, headers = {}) =>
      app.request(path, { headers: { authorization: `Bearer ${token}`, ...headers } }),
    poll,
    async close() {
      for (const closer of services.closers) await closer.close();
    },
  };
}
