import { describe, expect, it } from 'vitest';
import { err, errorLogFields } from '../src/index.js';

describe('errorLogFields', () => {
  it('gives the fields to log once per failed request', () => {
    const fields = errorLogFields(err('not_found', { detail: 'no ep_1' }), { requestId: 'req_1' });
    expect(fields).toEqual({
      error_code: 'not_found',
      error_status: 404,
      error_retryable: false,
      error_name: 'BulwarkError',
      error_message: 'no ep_1',
      request_id: 'req_1',
    });
  });

  it('treats unknown throws as internal_error and masks secrets in their message', () => {
    const fields = errorLogFields(new Error('login failed: Authorization: Bearer abc123'));
    expect(fields.error_code).toBe('internal_error');
    expect(fields.error_status).toBe(500);
    expect(fields.error_message).toBe('login failed: Authorization: [REDACTED]');
    expect(errorLogFields('plain string').error_name).toBe('string');
    expect(errorLogFields(undefined).error_message).toBe('undefined');
  });

  it('follows the cause chain and stops at cycles', () => {
    const inner = new Error('inner whsec_abcdefghijklmnopqrst') as Error & { cause?: unknown; code?: string };
    inner.code = 'ECONNRESET';
    const outer = err('internal_error', { cause: inner });
    inner.cause = outer;
    const fields = errorLogFields(outer);
    expect(fields.error_causes).toEqual([{ name: 'Error', code: 'ECONNRESET', message: 'inner [REDACTED]' }]);
  });

  it('describes error-like and primitive causes without trusting their fields', () => {
    const error = err('internal_error', {
      cause: { message: 'upstream said no', name: 7, code: 42, cause: 'socket closed' },
    });
    expect(errorLogFields(error).error_causes).toEqual([
      { name: 'Error', message: 'upstream said no' },
      { name: 'string', message: 'socket closed' },
    ]);
  });

  it('limits how many causes are followed', () => {
    let error: unknown = new Error('root');
    for (let i = 0; i < 20; i++) error = new Error(`level ${i}`, { cause: error });
    expect(errorLogFields(error, { maxCauses: 3 }).error_causes).toHaveLength(3);
  });

  it('masks extensions with default and configured keys', () => {
    const fields = errorLogFields(err('unauthorized', { extensions: { token: 't', account: 'acme', ssn: '1' } }), {
      redactKeys: ['ssn'],
    });
    expect(fields.error_extensions).toEqual({ token: '[REDACTED]', account: 'acme', ssn: '[REDACTED]' });
  });
});
