import type { BreakerMetricName } from '@bulwark/breaker';
import type { Clock } from '@bulwark/core';
import type { DeliveryMetrics, DeliveryStore, Dispatcher } from '@bulwark/delivery';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ServerMetrics } from '../metrics.js';
import type { DataKeyRing } from '../secrets/data-keys.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { type BreakerView, buildDispatcher, openDeliveryStore } from './delivery-dispatcher.js';
import { createThreadedDispatcher, type ThreadedDispatcher } from './threaded-dispatcher.js';

/** The webhook dispatcher, its store and the per-endpoint breakers. */
export interface DeliveryFeature {
  readonly dispatcher: Dispatcher;
  /** A connection to the delivery store of this thread (dashboard reads, the readiness probe). */
  readonly store: DeliveryStore;
  readonly breakers: BreakerView;
  /** Set when delivery runs in a worker thread: whether it is up, and how often it was restarted. */
  readonly thread: Pick<ThreadedDispatcher, 'ready' | 'restarts' | 'whenReady'> | undefined;
}

/** Forwards the dispatcher's metric hook to prom-client. */
function promDeliveryMetrics(metrics: ServerMetrics): DeliveryMetrics {
  return {
    // Webhook counters carry simulated="true" when WEBHOOK_REAL is off: nothing was sent.
    increment: (name, labels) =>
      metrics.events.inc(labels?.simulated ? { name, simulated: labels.simulated } : { name }),
    observe: (name, value) => metrics.gauges.set({ name: `${name}.last` }, value),
    gauge: (name, value, labels) =>
      metrics.gauges.set({ name: labels?.endpoint ? `${name}:${labels.endpoint}` : name }, value),
  };
}

/** The dispatcher's events in the log (never a secret: ids, reasons and error messages only). */
function logDispatcherEvents(dispatcher: Dispatcher, logger: Logger): void {
  dispatcher.on('attempt', (event) => {
    if (event.simulated) {
      logger.info(
        { event: 'webhook_simulated', deliveryId: event.deliveryId, endpointId: event.endpointId },
        'webhook delivery simulated: nothing was sent',
      );
    }
  });
  dispatcher.on('endpointDisabled', (event) =>
    logger.warn({ event: 'endpoint_disabled', ...event }, 'webhook endpoint disabled'),
  );
  dispatcher.on('deadLetter', (event) =>
    logger.warn({ event: 'dead_letter', ...event }, 'webhook delivery dead-lettered'),
  );
  dispatcher.on('error', (error) =>
    logger.error({ err_message: error instanceof Error ? error.message : String(error) }, 'delivery loop error'),
  );
}

/**
 * Builds delivery on embedded defaults (SQLite in DATA_DIR) or Redis with REDIS_URL.
 * Real egress only with WEBHOOK_REAL=1; private/loopback receivers need WEBHOOK_EGRESS_ALLOW.
 * With `thread` (and a store another connection can open: not `DATA_DIR=:memory:`), the
 * dispatcher runs in a worker thread ({@link createThreadedDispatcher}); this thread keeps a
 * store connection of its own for the dashboard's reads and the readiness probe.
 */
export function createDeliveryFeature(options: {
  config: Config;
  clock: Clock;
  logger: Logger;
  metrics: ServerMetrics;
  /** Seals endpoint signing secrets at rest. */
  secretBox: SecretBox;
  /** The keys behind `secretBox` (the thread opens endpoint secrets with them). */
  dataKeys: DataKeyRing;
  /** Also told every breaker transition (the dashboard history). */
  onBreakerMetric?: (name: BreakerMetricName, breaker: string) => void;
  /** Deliver from a worker thread (DELIVERY_THREAD); the thread reads the system clock. */
  thread?: boolean;
}): DeliveryFeature {
  const { config, clock, logger, metrics } = options;
  const store = openDeliveryStore(config, options.secretBox);
  const onBreakerMetric = (name: BreakerMetricName, breaker: string): void => {
    metrics.events.inc({ name });
    options.onBreakerMetric?.(name, breaker);
    if (name !== 'breaker.rejections') logger.warn({ breaker, transition: name }, 'circuit breaker transition');
  };
  const deliveryMetrics = promDeliveryMetrics(metrics);
  let feature: DeliveryFeature;
  if (options.thread && (config.REDIS_URL !== undefined || config.DATA_DIR !== ':memory:')) {
    const { current, byId } = options.dataKeys;
    const threaded = createThreadedDispatcher({
      data: { config, keys: [current, ...[...byId.values()].filter((k) => k !== current)] },
      metrics: deliveryMetrics,
      onBreakerMetric,
      logger,
    });
    feature = { dispatcher: threaded, store, breakers: threaded.breakers, thread: threaded };
  } else {
    const built = buildDispatcher({ config, clock, store, metrics: deliveryMetrics, onBreakerMetric });
    feature = { dispatcher: built.dispatcher, store, breakers: built.breakers, thread: undefined };
  }
  if (!config.WEBHOOK_REAL) {
    logger.warn(
      { event: 'webhook_egress_simulated' },
      'WEBHOOK_REAL is off: webhook deliveries are simulated (recorded as succeeded, never sent; marked simulated)',
    );
  }
  logDispatcherEvents(feature.dispatcher, logger);
  return feature;
}
