import { describe, expect, it } from 'vitest';
import {
  BulwarkError,
  brandError,
  createErrorGuard,
  hasErrorBrand,
  hasErrorCode,
  isBulwarkError,
  toProblem,
} from '../src/index.js';

class CircuitError extends BulwarkError<'circuit_open'> {
  static {
    brandError(CircuitError.prototype, 'CircuitError');
  }
  override name = 'CircuitError' as const;
  constructor() {
    super({ code: 'circuit_open', status: 503, title: 'Circuit Open', retryable: true });
  }
}
/** A subclass written before prototypes were branded: it brands every instance. */
class LegacyCircuitError extends BulwarkError<'circuit_open'> {
  constructor() {
    super({ code: 'circuit_open', status: 503, title: 'Circuit Open', retryable: true });
    brandError(this, 'CircuitError');
  }
}
const isCircuitError = createErrorGuard<CircuitError>('CircuitError');

describe('BulwarkError', () => {
  it('is a real Error with a stable code, status, retryable flag and cause', () => {
    const cause = new Error('socket hang up');
    const error = new BulwarkError({
      code: 'upstream_failed',
      status: 502,
      title: 'Upstream Failed',
      retryable: true,
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('upstream_failed');
    expect(error.status).toBe(502);
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('Upstream Failed');
    expect(error.stack).toContain('BulwarkError');
  });

  it('defaults to status 500, not retryable, title = code, and no cause property', () => {
    const error = new BulwarkError({ code: 'x_failed' });
    expect(error.status).toBe(500);
    expect(error.retryable).toBe(false);
    expect(error.title).toBe('x_failed');
    expect('cause' in error).toBe(false);
  });

  it('prefers message, then detail, for the internal message', () => {
    expect(new BulwarkError({ code: 'a', detail: 'd' }).message).toBe('d');
    expect(new BulwarkError({ code: 'a', detail: 'd', message: 'm' }).message).toBe('m');
  });

  it('serializes to JSON without stack or cause', () => {
    const error = new BulwarkError({ code: 'a', status: 400, title: 'A', detail: 'd', cause: new Error('secret') });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'BulwarkError',
      code: 'a',
      status: 400,
      title: 'A',
      retryable: false,
      detail: 'd',
    });
    expect(new BulwarkError({ code: 'a' }).toJSON()).not.toHaveProperty('detail');
  });

  it('freezes its extensions', () => {
    const error = new BulwarkError({ code: 'a', extensions: { retryAfterMs: 5 } });
    expect(Object.isFrozen(error.extensions)).toBe(true);
    expect(Object.isFrozen(new BulwarkError({ code: 'a' }).extensions)).toBe(true);
  });

  it('copies extensions: a later change to the caller object does not reach the error', () => {
    const extensions: Record<string, unknown> = { retryAfterMs: 5 };
    const error = new BulwarkError({ code: 'a', extensions });
    extensions.retryAfterMs = 6;
    expect(error.extensions).toEqual({ retryAfterMs: 5 });
  });

  // The failure path of every package constructs one of these: construction must cost what its
  // fields cost. Own keys are the public shape (unchanged); the brand is inherited, never defined
  // per instance (a per-instance definition cost more than every field together).
  it('has exactly its public own properties, in order, and no per-instance brand', () => {
    const error = new CircuitError();
    expect(Reflect.ownKeys(error)).toEqual([
      'stack',
      'message',
      'name',
      'code',
      'status',
      'title',
      'retryable',
      'detail',
      'instance',
      'extensions',
    ]);
    expect(Object.keys(error)).toEqual([
      'name',
      'code',
      'status',
      'title',
      'retryable',
      'detail',
      'instance',
      'extensions',
    ]);
    expect(Object.getOwnPropertyDescriptor(error, 'name')).toEqual({
      value: 'CircuitError',
      writable: true,
      enumerable: true,
      configurable: true,
    });
    expect(Object.getOwnPropertySymbols(new BulwarkError({ code: 'a', cause: 1 }))).toEqual([]);
  });
});

describe('brands and guards', () => {
  it('recognize errors by a global symbol brand, not by class identity', () => {
    const error = new CircuitError();
    expect(isBulwarkError(error)).toBe(true);
    expect(BulwarkError.isInstance(error)).toBe(true);
    expect(isCircuitError(error)).toBe(true);
    expect(isCircuitError(new BulwarkError({ code: 'circuit_open' }))).toBe(false);
  });

  it('work for an error built by another copy of the package (duplicate install)', () => {
    const foreign = Object.create(Error.prototype) as Error & { code: string };
    Object.defineProperty(foreign, Symbol.for('bulwark.error.BulwarkError'), { value: true });
    foreign.code = 'not_found';
    expect(isBulwarkError(foreign)).toBe(true);
    expect(hasErrorBrand(foreign, 'CircuitError')).toBe(false);
  });

  it('do not count a branded class prototype as an instance', () => {
    expect(isBulwarkError(BulwarkError.prototype)).toBe(false);
    expect(isCircuitError(CircuitError.prototype)).toBe(false);
    expect(isCircuitError(LegacyCircuitError.prototype)).toBe(false);
  });

  it('keep working for a subclass that brands each instance in its constructor (older style)', () => {
    const error = new LegacyCircuitError();
    expect(isCircuitError(error)).toBe(true);
    expect(isBulwarkError(error)).toBe(true);
    expect(Object.getOwnPropertySymbols(error)).toEqual([Symbol.for('bulwark.error.CircuitError')]);
    // Branding an instance that already inherits the brand defines nothing.
    const inherited = new CircuitError();
    brandError(inherited, 'CircuitError');
    expect(Object.getOwnPropertySymbols(inherited)).toEqual([]);
  });

  it('reject non-objects and look-alikes', () => {
    for (const value of [null, undefined, 'BulwarkError', 42, { code: 'not_found' }, new Error('x')]) {
      expect(isBulwarkError(value)).toBe(false);
    }
  });

  it('hasErrorCode narrows on one of several codes', () => {
    const error: unknown = new CircuitError();
    expect(hasErrorCode(error, 'circuit_open', 'bulkhead_full')).toBe(true);
    expect(hasErrorCode(error, 'bulkhead_full')).toBe(false);
    expect(hasErrorCode(new Error('x'), 'circuit_open')).toBe(false);
  });
});

describe('captureStack: false (failure paths an attacker can drive)', () => {
  const errorConstructor = Error as { stackTraceLimit?: unknown };
  const frameless = () =>
    new BulwarkError({ code: 'sig_mismatch', status: 401, detail: 'No signature matched', captureStack: false });

  it('captures no stack trace at all (not even the empty one Error.stackTraceLimit = 0 builds)', () => {
    const error = frameless();
    expect(error.stack).toBeUndefined();
    expect(String(error)).toBe('BulwarkError: No signature matched');
  });

  it('keeps every other property, guard and output of a captured error', () => {
    const error = frameless();
    const captured = new BulwarkError({ code: 'sig_mismatch', status: 401, detail: 'No signature matched' });
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(BulwarkError);
    expect(isBulwarkError(error)).toBe(true);
    expect(Reflect.ownKeys(error)).toEqual(Reflect.ownKeys(captured));
    expect(error.toJSON()).toEqual(captured.toJSON());
    expect(toProblem(error, { requestId: 'r' })).toEqual(toProblem(captured, { requestId: 'r' }));
    expect(Object.prototype.toString.call(error)).toBe('[object Error]');
  });

  it('lets `stack` be assigned, as on any error', () => {
    const error = frameless();
    error.stack = 'replaced';
    expect(error.stack).toBe('replaced');
  });

  it.each([10, 0, 3, Number.POSITIVE_INFINITY])('leaves Error.stackTraceLimit %s as it was', (limit) => {
    const before = errorConstructor.stackTraceLimit;
    errorConstructor.stackTraceLimit = limit;
    try {
      frameless();
      expect(errorConstructor.stackTraceLimit).toBe(limit);
    } finally {
      errorConstructor.stackTraceLimit = before;
    }
  });

  it('leaves an absent Error.stackTraceLimit absent', () => {
    const before = errorConstructor.stackTraceLimit;
    delete errorConstructor.stackTraceLimit;
    try {
      frameless();
      expect(Object.hasOwn(Error, 'stackTraceLimit')).toBe(false);
    } finally {
      errorConstructor.stackTraceLimit = before;
    }
  });

  it('captures frames by default and for captureStack: true', () => {
    expect(new BulwarkError({ code: 'a' }).stack).toMatch(/\n\s+at /);
    expect(new BulwarkError({ code: 'a', captureStack: true }).stack).toMatch(/\n\s+at /);
    expect(new CircuitError().stack).toMatch(/^CircuitError: Circuit Open\n\s+at /);
  });
});
