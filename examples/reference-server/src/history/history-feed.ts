import type { BreakerMetricName } from '@bulwark/breaker';
import type { Dispatcher } from '@bulwark/delivery';
import type { MetricsHistory } from './metrics-history.js';

const BREAKER_PREFIX = 'webhook:';
const TRANSITIONS: Partial<Record<BreakerMetricName, 'open' | 'half_open' | 'closed'>> = {
  'breaker.open': 'open',
  'breaker.reopen': 'open',
  'breaker.half_open': 'half_open',
  'breaker.close': 'closed',
};

/** Turns the breaker registry's `onMetric` hook into endpoint breaker transitions (rejections are ignored). */
export function historyBreakerMetric(history: MetricsHistory): (name: BreakerMetricName, breaker: string) => void {
  return (name, breaker) => {
    const state = TRANSITIONS[name];
    if (state && breaker.startsWith(BREAKER_PREFIX)) history.breaker(breaker.slice(BREAKER_PREFIX.length), state);
  };
}

/** Reads the DLQ depth from the store into the history; failures leave the last sample standing. */
export function dlqSampler(history: MetricsHistory, dispatcher: Pick<Dispatcher, 'dlq'>): () => Promise<void> {
  return async () => {
    try {
      history.dlqDepth((await dispatcher.dlq.stats()).size);
    } catch {
      // The store is down: the chart keeps the last known depth and readiness reports the store.
    }
  };
}

/**
 * Feeds the dispatcher's events into the history: every attempt, and a DLQ depth sample after
 * each dead letter. Returns the unsubscribe function.
 */
export function feedHistoryFromDispatcher(history: MetricsHistory, dispatcher: Dispatcher): () => void {
  const sample = dlqSampler(history, dispatcher);
  const offAttempt = dispatcher.on('attempt', (event) => history.attempt(event));
  const offDead = dispatcher.on('deadLetter', () => void sample());
  return () => {
    offAttempt();
    offDead();
  };
}
