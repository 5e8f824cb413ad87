import { describe, expect, it } from 'vitest';
import { BulwarkError, DEFAULT_PROBLEM_TYPE_BASE, err, toProblem } from '../src/index.js';

describe('toProblem', () => {
  it('maps a BulwarkError to RFC 9457 members plus code and retryable', () => {
    const problem = toProblem(err('not_found', { detail: 'No endpoint ep_1', instance: '/endpoints/ep_1' }), {
      requestId: 'req_1',
    });
    expect(problem).toEqual({
      type: `${DEFAULT_PROBLEM_TYPE_BASE}not_found`,
      title: 'Not Found',
      status: 404,
      code: 'not_found',
      retryable: false,
      detail: 'No endpoint ep_1',
      instance: '/endpoints/ep_1',
      requestId: 'req_1',
    });
  });

  it('builds type from a configurable base URI', () => {
    expect(toProblem(err('conflict'), { typeBaseUri: 'https://api.example.com/problems/' }).type).toBe(
      'https://api.example.com/problems/conflict',
    );
  });

  it.each([
    ['a thrown string', 'database password is hunter2'],
    ['a plain Error', new Error('connect ECONNREFUSED 10.0.0.5:5432 user=admin password=hunter2')],
    ['null', null],
    ['an object', { message: 'secret', stack: 'at x' }],
  ])('turns %s into a generic 500 that leaks nothing', (_, thrown) => {
    const problem = toProblem(thrown, { requestId: 'r' });
    expect(problem).toEqual({
      type: `${DEFAULT_PROBLEM_TYPE_BASE}internal_error`,
      title: 'Internal Server Error',
      status: 500,
      code: 'internal_error',
      retryable: false,
      requestId: 'r',
    });
    expect(JSON.stringify(problem)).not.toMatch(/hunter2|ECONNREFUSED|secret|stack/);
  });

  it('never exposes the cause', () => {
    const problem = toProblem(err('internal_error', { cause: new Error('pg: password authentication failed') }));
    expect(JSON.stringify(problem)).not.toContain('password');
  });

  it('adds extensions without letting them override standard members', () => {
    const problem = toProblem(
      err('conflict', { extensions: { status: 200, code: 'ok', type: 'x', retryAfterMs: 1500, version: 3 } }),
    );
    expect(problem.status).toBe(409);
    expect(problem.code).toBe('conflict');
    expect(problem.type).toMatch(/conflict$/);
    expect(problem.retryAfterMs).toBe(1500);
    expect(problem.version).toBe(3);
  });

  it('redacts secrets in detail and extensions', () => {
    const error = err('unauthorized', {
      detail: 'token Bearer abc.def.ghi rejected',
      extensions: { apiKey: 're_123', nested: { hint: 'use whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } },
    });
    const problem = toProblem(error);
    expect(problem.detail).toBe('token [REDACTED] rejected');
    expect(problem.apiKey).toBe('[REDACTED]');
    expect(JSON.stringify(problem)).not.toContain('whsec_Mf');
  });

  it("keeps the README example's detail: prose naming the scheme is not a secret", () => {
    // Was "Missing [REDACTED]": the bearer pattern took the word "token" for a credential.
    expect(toProblem(err('unauthorized', { detail: 'Missing bearer token' })).detail).toBe('Missing bearer token');
  });

  it('caps a huge detail', () => {
    const problem = toProblem(err('validation_failed', { detail: 'x'.repeat(1_000_000) }));
    expect(problem.detail?.length).toBe(1025);
    expect(toProblem(err('validation_failed', { detail: 'y'.repeat(50) }), { maxDetailLength: 10 }).detail).toBe(
      `${'y'.repeat(10)}…`,
    );
  });

  it('survives cyclic and non-JSON extensions', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const problem = toProblem(err('conflict', { extensions: { cyclic, big: 10n, fn: () => 1, when: new Date(0) } }));
    expect(() => JSON.stringify(problem)).not.toThrow();
    expect(problem.cyclic).toEqual({ a: 1, self: '[Circular]' });
    expect(problem.big).toBe('10');
    expect(problem).not.toHaveProperty('fn');
    expect(problem.when).toBe('1970-01-01T00:00:00.000Z');
  });

  it('falls back to 500 when a hand-built error carries a non-error status', () => {
    expect(toProblem(new BulwarkError({ code: 'weird', status: 200 })).status).toBe(500);
  });

  it('omits empty detail, instance and request id', () => {
    const problem = toProblem(err('forbidden', { detail: '', instance: '' }), { requestId: '' });
    expect(Object.keys(problem).sort()).toEqual(['code', 'retryable', 'status', 'title', 'type']);
  });
});
