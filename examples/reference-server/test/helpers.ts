import { Writable } from 'node:stream';
import { FakeClock } from '@bulwark/testing';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createServices } from '../src/services.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/** Builds the app on embedded defaults with a fake clock and a captured log. */
export function buildTestApp(env: Record<string, string> = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const config = loadConfig({
    ADMIN_TOKEN,
    LOG_LEVEL: 'info',
    DATA_DIR: ':memory:',
    EMAIL_SENDER_DOMAINS: 'acme.test',
    ...env,
  });
  const clock = new FakeClock(Date.UTC(2026, 10, 22));
  const { services } = createServices(config, createLogger(config.LOG_LEVEL, sink), clock, env);
  const app = createApp(services);
  const checked = services.health.refresh();
  const request = async (path: string, init: RequestInit & { admin?: boolean } = {}) => {
    await checked;
    const headers = new Headers(init.headers);
    if (init.admin) headers.set('authorization', `Bearer ${ADMIN_TOKEN}`);
    if (typeof init.body === 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
    return app.request(path, { ...init, headers });
  };
  return { app, services, clock, lines, request };
}
