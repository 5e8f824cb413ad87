import { describe, expect, it } from 'vitest';
import { err, PROBLEM_CONTENT_TYPE, type ProblemWritable, problemResponse, writeProblem } from '../src/index.js';

class FakeResponse implements ProblemWritable {
  statusCode = 200;
  headersSent = false;
  headers = new Map<string, string>();
  body: string | undefined;
  ended = false;
  setHeader(name: string, value: string): void {
    this.headers.set(name, value);
  }
  end(body?: string): void {
    this.body = body;
    this.ended = true;
  }
}

describe('problemResponse', () => {
  it('returns a Fetch Response with application/problem+json', async () => {
    const response = problemResponse(err('not_found', { detail: 'missing' }), { requestId: 'req_7' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toMatchObject({ code: 'not_found', detail: 'missing', requestId: 'req_7' });
  });

  it('sets Retry-After in whole seconds from a retryAfterMs extension', () => {
    const response = problemResponse(err('conflict', { extensions: { retryAfterMs: 1_200 } }));
    expect(response.headers.get('retry-after')).toBe('2');
    expect(problemResponse(err('conflict', { extensions: { retryAfterMs: -1 } })).headers.has('retry-after')).toBe(
      false,
    );
  });

  it('adds caller headers', () => {
    const response = problemResponse(new Error('x'), { headers: { 'x-request-id': 'abc' } });
    expect(response.status).toBe(500);
    expect(response.headers.get('x-request-id')).toBe('abc');
  });
});

describe('writeProblem', () => {
  it('writes status, headers and body to a Node-style response', () => {
    const res = new FakeResponse();
    const problem = writeProblem(res, err('payload_too_large'));
    expect(res.statusCode).toBe(413);
    expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    expect(JSON.parse(res.body ?? '')).toEqual(problem);
  });

  it('only ends the response when headers were already sent', () => {
    const res = new FakeResponse();
    res.headersSent = true;
    writeProblem(res, err('conflict'));
    expect(res.statusCode).toBe(200);
    expect(res.body).toBeUndefined();
    expect(res.ended).toBe(true);
  });
});
