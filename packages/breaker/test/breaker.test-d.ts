import { describe, expectTypeOf, it } from 'vitest';
import {
  type BreakerSnapshot,
  type CircuitBreaker,
  type CircuitState,
  createCircuitBreaker,
  isBrokenCircuitError,
  type OpenEvent,
  type StateChangeEvent,
  type TripDetails,
} from '../src/index.js';

describe('breaker types', () => {
  const breaker = createCircuitBreaker({ name: 'payments' });

  it('types execute by the function result', () => {
    expectTypeOf(breaker.execute(async () => 42)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(breaker.execute((signal) => signal.aborted)).toEqualTypeOf<Promise<boolean>>();
  });

  it('types events by name and returns an unsubscribe function', () => {
    const off = breaker.on('open', (event) => {
      expectTypeOf(event).toEqualTypeOf<OpenEvent>();
      expectTypeOf(event.trip).toEqualTypeOf<TripDetails>();
      expectTypeOf(event).toExtend<StateChangeEvent>();
    });
    expectTypeOf(off).toEqualTypeOf<() => void>();
    // @ts-expect-error: not an event
    breaker.on('tripped', () => {});
  });

  it('exposes state and snapshot as read-only views', () => {
    expectTypeOf(breaker.state).toEqualTypeOf<CircuitState>();
    expectTypeOf(breaker.snapshot()).toEqualTypeOf<BreakerSnapshot>();
    expectTypeOf<CircuitBreaker>().toHaveProperty('forceOpen');
  });

  it('narrows errors with the guard', () => {
    const error: unknown = null;
    if (isBrokenCircuitError(error)) expectTypeOf(error.retryAfterMs).toEqualTypeOf<number>();
  });

  it('rejects invalid option shapes', () => {
    // @ts-expect-error: window type must be count or time
    createCircuitBreaker({ window: { type: 'hourly' } });
  });
});
