import { describe, expect, it } from 'vitest';
import { type BaseErrorCode, baseErrors, defineErrors, err, errorRegistry, isBulwarkError } from '../src/index.js';

describe('defineErrors', () => {
  const catalog = defineErrors({
    widget_jammed: { status: 503, title: 'Widget Jammed', retryable: true, description: 'The widget is jammed.' },
    widget_missing: { status: 404, title: 'Widget Missing', description: 'No such widget.' },
  });

  it('creates typed errors carrying the definition', () => {
    const error = catalog.err('widget_jammed', { detail: 'jam at slot 3', instance: '/widgets/3' });
    expect(isBulwarkError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'widget_jammed',
      status: 503,
      title: 'Widget Jammed',
      retryable: true,
      detail: 'jam at slot 3',
      instance: '/widgets/3',
    });
  });

  it('lets one occurrence override retryability', () => {
    expect(catalog.err('widget_jammed', { retryable: false }).retryable).toBe(false);
    expect(catalog.err('widget_missing').retryable).toBe(false);
  });

  it('lists and checks its codes', () => {
    expect(catalog.codes).toEqual(['widget_jammed', 'widget_missing']);
    expect(catalog.has('widget_missing')).toBe(true);
    expect(catalog.has('toString')).toBe(false);
    expect(Object.isFrozen(catalog.definitions)).toBe(true);
  });

  it('turns an unknown code at runtime into unknown_error without echoing it', () => {
    const error = (catalog.err as (code: string) => Error & { code: string; status: number })('user_42_failed');
    expect(error.code).toBe('unknown_error');
    expect(error.status).toBe(500);
    expect(error.message).not.toContain('user_42');
  });

  it('registers its codes process-wide', () => {
    expect(errorRegistry().get('widget_jammed')?.status).toBe(503);
    expect(
      errorRegistry()
        .entries()
        .map(([code]) => code),
    ).toContain('not_found');
  });

  it('accepts an identical re-definition (duplicate installs) but rejects a conflicting one', () => {
    expect(() =>
      defineErrors({ widget_missing: { status: 404, title: 'Widget Missing', description: 'No such widget.' } }),
    ).not.toThrow();
    expect(() => defineErrors({ widget_missing: { status: 410, title: 'Gone', description: 'x' } })).toThrow(
      'Error code `widget_missing` is already defined differently',
    );
  });

  it('defines codes without a description (prose for docs may live outside the catalog)', () => {
    const undocumented = defineErrors({ widget_undocumented: { status: 409, title: 'Widget Undocumented' } });
    expect(undocumented.err('widget_undocumented')).toMatchObject({ status: 409, title: 'Widget Undocumented' });
    expect('description' in undocumented.definitions.widget_undocumented).toBe(false);
    expect(errorRegistry().get('widget_undocumented')).toEqual({ status: 409, title: 'Widget Undocumented' });
  });

  it("keeps the base catalog's descriptions out of the runtime catalog (they ship in no bundle)", () => {
    for (const [code, definition] of Object.entries(baseErrors.definitions)) {
      expect({ code, described: Object.hasOwn(definition, 'description') }).toEqual({ code, described: false });
    }
  });

  it.each([
    ['Bad-Code', { status: 400, title: 't', description: 'd' }, 'flat snake_case'],
    ['a__b', { status: 400, title: 't', description: 'd' }, 'flat snake_case'],
    ['x'.repeat(65), { status: 400, title: 't', description: 'd' }, 'at most 64'],
    ['ok_code', { status: 200, title: 't', description: 'd' }, '`ok_code.status`'],
    ['ok_code', { status: 400.5, title: 't', description: 'd' }, '`ok_code.status`'],
    ['ok_code', { status: 400, title: ' ', description: 'd' }, '`ok_code.title`'],
    ['ok_code', { status: 400, title: 't', description: '' }, '`ok_code.description`'],
    ['ok_code', { status: 400, title: 't', description: 42 }, '`ok_code.description`'],
    ['ok_code', { status: 400, title: 't', description: 'd', retryable: 'yes' }, '`ok_code.retryable`'],
  ])('rejects the invalid definition %s', (code, definition, message) => {
    expect(() => defineErrors({ [code]: definition as never })).toThrow(message);
  });
});

describe('err and the base catalog', () => {
  it.each([
    ['internal_error', 500],
    ['validation_failed', 422],
    ['not_found', 404],
    ['unauthorized', 401],
    ['forbidden', 403],
    ['conflict', 409],
    ['payload_too_large', 413],
    ['unknown_error', 500],
  ] as const)('%s has status %i', (code, status) => {
    expect(err(code).status).toBe(status);
    expect(baseErrors.has(code)).toBe(true);
  });

  it('keeps the cause for logs', () => {
    const cause = new Error('db down');
    expect(err('internal_error', { cause }).cause).toBe(cause);
  });
});

describe('BaseErrorCode', () => {
  it('lists exactly the base catalog codes', () => {
    const codes: readonly BaseErrorCode[] = baseErrors.codes;
    expect([...codes].sort()).toEqual([
      'conflict',
      'forbidden',
      'internal_error',
      'not_found',
      'payload_too_large',
      'unauthorized',
      'unknown_error',
      'validation_failed',
    ]);
  });
});
