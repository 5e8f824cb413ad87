import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus instruments fed by every package's hooks. */
export interface ServerMetrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  readonly httpDuration: Histogram<'route' | 'method'>;
  readonly errors: Counter<'code'>;
  readonly events: Counter<'name' | 'simulated'>;
  readonly emailEvents: Counter<'provider' | 'type'>;
  readonly gauges: Gauge<'name'>;
}

/** Creates a registry with default process metrics and the server's instruments. */
export function createMetrics(): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by route, method and status.',
      labelNames: ['route', 'method', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route and method.',
      labelNames: ['route', 'method'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'bulwark_errors_total',
      help: 'Errors returned, by stable error code.',
      labelNames: ['code'],
      registers: [registry],
    }),
    events: new Counter({
      name: 'bulwark_events_total',
      help: 'Package events (breaker transitions, webhook deliveries, email events), by name.',
      labelNames: ['name', 'simulated'],
      registers: [registry],
    }),
    emailEvents: new Counter({
      name: 'bulwark_email_events_total',
      help: 'Verified email webhook events, by provider and normalized type (bounced, complained, ...).',
      labelNames: ['provider', 'type'],
      registers: [registry],
    }),
    gauges: new Gauge({
      name: 'bulwark_gauge',
      help: 'Package gauges (queue depth, DLQ size, breach ratios), by name.',
      labelNames: ['name'],
      registers: [registry],
    }),
  };
}
