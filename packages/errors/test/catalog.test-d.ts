import { describe, expectTypeOf, it } from 'vitest';
import { type BulwarkError, defineErrors, err, hasErrorCode } from '../src/index.js';

describe('catalog types', () => {
  const catalog = defineErrors({
    quota_exceeded: { status: 429, title: 'Quota Exceeded', retryable: true, description: 'Too many requests.' },
  });

  it('types err() by its code', () => {
    expectTypeOf(catalog.err('quota_exceeded')).toEqualTypeOf<BulwarkError<'quota_exceeded'>>();
    expectTypeOf(err('not_found').code).toEqualTypeOf<'not_found'>();
  });

  it('rejects codes outside the catalog', () => {
    // @ts-expect-error: not a code of this catalog
    catalog.err('not_found');
    // @ts-expect-error: not a base code
    err('quota_exceeded');
  });

  it('narrows with hasErrorCode', () => {
    const value: unknown = null;
    if (hasErrorCode(value, 'a_code', 'b_code')) expectTypeOf(value.code).toEqualTypeOf<'a_code' | 'b_code'>();
  });
});
