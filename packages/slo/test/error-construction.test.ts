import { describe, expect, it, vi } from 'vitest';

// Counts calls of every catalog's err(): SloError must not construct a throwaway error (with its
// stack trace) to read its definition.
const errCalls = vi.hoisted(() => ({ count: 0 }));
vi.mock('@bulwark/errors', async (importOriginal) => {
  const original = await importOriginal<typeof import('@bulwark/errors')>();
  return {
    ...original,
    defineErrors: ((definitions: Parameters<typeof original.defineErrors>[0]) => {
      const catalog = original.defineErrors(definitions);
      return Object.freeze({
        ...catalog,
        err: (...args: Parameters<typeof catalog.err>) => {
          errCalls.count++;
          return catalog.err(...args);
        },
      });
    }) as typeof original.defineErrors,
  };
});

const { SloError, sloErrors } = await import('../src/index.js');

describe('constructing a SloError', () => {
  it('builds one error, not a throwaway one first', () => {
    errCalls.count = 0;
    new SloError('slo_invalid_sample', { detail: 'NaN' });
    expect(errCalls.count).toBe(0);
  });

  it('keeps the catalog definition, the options and a frozen copy of the extensions', () => {
    const extensions = { route: 'GET /a' };
    const error = new SloError('slo_invalid_sample', { detail: 'NaN', extensions, retryable: true });
    const definition = sloErrors.definitions.slo_invalid_sample;
    expect(error).toMatchObject({ code: 'slo_invalid_sample', status: definition.status, title: definition.title });
    expect(error.detail).toBe('NaN');
    expect(error.retryable).toBe(true);
    expect(new SloError('slo_invalid_sample').retryable).toBe(definition.retryable ?? false);
    expect(error.extensions).toEqual(extensions);
    expect(error.extensions).not.toBe(extensions);
    expect(Object.isFrozen(error.extensions)).toBe(true);
  });

  it('gives a code unknown at runtime the unknown_error definition, as the catalog does', () => {
    const error = new SloError('not_a_code' as 'slo_invalid_sample');
    expect(error.code).toBe('not_a_code');
    expect(error.status).toBe(500);
    expect(error.retryable).toBe(false);
  });
});
