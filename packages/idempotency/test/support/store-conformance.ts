import { describe, expect, it } from 'vitest';
import { createIdempotency, type IdempotencyStore, withIdempotency } from '../../src/index.js';

let unique = 0;
/** A fresh 64-hex storage key per test, so stores shared between tests never collide. */
function freshKey(): string {
  unique++;
  return `${Date.now().toString(16)}${unique.toString(16)}`.padEnd(64, '0').slice(0, 64);
}

const T0 = 1_700_000_000_000;

/** The behaviour every IdempotencyStore must have, run against each implementation. */
export function storeConformance(name: string, store: () => IdempotencyStore): void {
  describe(`${name} store conformance`, () => {
    const claim = (key: string, token: string, now = T0, fingerprint = 'fp') =>
      store().begin({ key, fingerprint, token, now, lockExpiresAt: now + 1_000 });

    it('acquires a free key, then reports it in progress with its fingerprint and lock expiry', async () => {
      const key = freshKey();
      expect(await claim(key, 'a')).toEqual({ status: 'acquired', recovered: false });
      expect(await claim(key, 'b', T0 + 999, 'other')).toEqual({
        status: 'in_progress',
        fingerprint: 'fp',
        lockExpiresAt: T0 + 1_000,
      });
    });

    it('completes only for the owner token, then replays the result until it expires', async () => {
      const key = freshKey();
      await claim(key, 'a');
      const complete = (token: string, now = T0 + 10) =>
        store().complete({ key, token, result: '{"ok":true}', now, expiresAt: now + 5_000 });
      expect(await complete('intruder')).toBe(false);
      expect(await complete('a')).toBe(true);
      expect(await complete('a')).toBe(false);
      expect(await claim(key, 'b', T0 + 5_009)).toEqual({
        status: 'completed',
        fingerprint: 'fp',
        result: '{"ok":true}',
      });
      expect(await claim(key, 'c', T0 + 5_010)).toEqual({ status: 'acquired', recovered: false });
    });

    it('an expired lock is taken over (recovered) and its old owner can no longer complete or release', async () => {
      const key = freshKey();
      await claim(key, 'dead');
      expect(await claim(key, 'next', T0 + 1_000)).toEqual({ status: 'acquired', recovered: true });
      expect(await store().complete({ key, token: 'dead', result: 'x', now: T0 + 1_001, expiresAt: T0 + 9_000 })).toBe(
        false,
      );
      await store().release(key, 'dead');
      expect((await claim(key, 'third', T0 + 1_002)).status).toBe('in_progress');
    });

    it('an expired lock cannot be completed even by its owner', async () => {
      const key = freshKey();
      await claim(key, 'slow');
      expect(await store().complete({ key, token: 'slow', result: 'x', now: T0 + 1_000, expiresAt: T0 + 9_000 })).toBe(
        false,
      );
    });

    it('release frees the key for the owner only', async () => {
      const key = freshKey();
      await claim(key, 'a');
      await store().release(key, 'intruder');
      expect((await claim(key, 'b', T0 + 1)).status).toBe('in_progress');
      await store().release(key, 'a');
      expect(await claim(key, 'b', T0 + 2)).toEqual({ status: 'acquired', recovered: false });
    });

    it('keeps results of any size and content byte-exact', async () => {
      const key = freshKey();
      await claim(key, 'a');
      const result = JSON.stringify({ body: 'é\u0000"\\'.repeat(10_000) });
      expect(await store().complete({ key, token: 'a', result, now: T0, expiresAt: T0 + 1_000 })).toBe(true);
      expect(await claim(key, 'b', T0 + 1)).toEqual({ status: 'completed', fingerprint: 'fp', result });
    });

    it('100 concurrent runs with one key through createIdempotency: the operation runs once', async () => {
      const idempotency = createIdempotency({ store: store() });
      const key = `conformance-${freshKey()}`;
      let runs = 0;
      const outcomes = await Promise.all(
        Array.from({ length: 100 }, () =>
          idempotency
            .run(
              key,
              async () => {
                runs++;
                await new Promise((resolve) => setTimeout(resolve, 20));
                return 'once';
              },
              { fingerprint: 'f' },
            )
            .then(
              (r) => (r.replayed ? 'replay' : 'ran'),
              (e: { code?: string }) => e.code,
            ),
        ),
      );
      expect(runs).toBe(1);
      expect(outcomes.filter((o) => o === 'ran')).toHaveLength(1);
      expect(outcomes.every((o) => o === 'ran' || o === 'replay' || o === 'idempotency_request_in_progress')).toBe(
        true,
      );
    });

    it('100 concurrent HTTP requests with one key through withIdempotency: the handler runs once, the rest get 409 or the replay', async () => {
      let runs = 0;
      const fetch = withIdempotency(createIdempotency({ store: store() }), async () => {
        runs++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return new Response('created', { status: 201, headers: { location: '/things/1' } });
      });
      const key = `http-${freshKey()}`;
      const responses = await Promise.all(
        Array.from({ length: 100 }, () =>
          fetch(
            new Request('http://api.test/things', {
              method: 'POST',
              body: '{}',
              headers: { 'idempotency-key': `"${key}"` },
            }),
          ),
        ),
      );
      expect(runs).toBe(1);
      const fresh = responses.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === null);
      const replays = responses.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === 'true');
      const inProgress = responses.filter((r) => r.status === 409);
      expect(fresh).toHaveLength(1);
      expect(replays.length + inProgress.length).toBe(99);
      for (const replay of replays) expect(replay.headers.get('location')).toBe('/things/1');
    });
  });
}
