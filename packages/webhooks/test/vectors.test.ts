import { describe, expect, it } from 'vitest';
import bulwarkV1 from '../../../test-vectors/webhooks/bulwark-v1.json';
import standardV1 from '../../../test-vectors/webhooks/standard-v1.json';
import standardV1a from '../../../test-vectors/webhooks/standard-v1a.json';
import {
  createWebhookVerifier,
  isWebhookVerificationError,
  parsePublicKey,
  parseSecret,
  type WebhookScheme,
} from '../src/index.js';
import { fromBase64 } from '../src/internal/encoding.js';

interface VectorCase {
  name: string;
  now: number;
  tolerance?: { pastSec: number; futureSec: number };
  secrets?: { id: string; secret: string }[];
  publicKeys?: { id: string; key: string }[];
  headers: Record<string, string>;
  body?: string;
  bodyBase64?: string;
  bodyRepeat?: { unit: string; count: number };
  expected: { valid: true; keyId: string; id: string; timestamp: number } | { valid: false; code: string };
}

interface VectorFile {
  format: string;
  scheme: string;
  tolerance: { pastSec: number; futureSec: number };
  cases: VectorCase[];
}

function bodyOf(vector: VectorCase): Uint8Array {
  if (vector.bodyRepeat) return new TextEncoder().encode(vector.bodyRepeat.unit.repeat(vector.bodyRepeat.count));
  return fromBase64(vector.bodyBase64 as string) as Uint8Array;
}

describe.each([
  ['bulwark-v1.json', bulwarkV1],
  ['standard-v1.json', standardV1],
  ['standard-v1a.json', standardV1a],
] as [string, VectorFile][])('test vectors %s', (_file, file) => {
  it('declares the format', () => {
    expect(file.format).toBe('bulwark-webhook-vectors/1');
  });

  it.each(file.cases.map((c) => [c.name, c] as const))('%s', async (_name, vector) => {
    if (vector.body !== undefined) expect(new TextDecoder().decode(bodyOf(vector))).toBe(vector.body);
    for (const crypto of ['auto', 'webcrypto'] as const) {
      const verifier = createWebhookVerifier({
        scheme: file.scheme as WebhookScheme,
        ...(vector.secrets ? { secrets: vector.secrets.map((s) => parseSecret(s.secret, { id: s.id })) } : {}),
        ...(vector.publicKeys ? { publicKeys: vector.publicKeys.map((k) => parsePublicKey(k.key, { id: k.id })) } : {}),
        tolerance: vector.tolerance ?? file.tolerance,
        clock: { now: () => vector.now * 1000 },
        crypto,
      });
      const outcome = await verifier.verify({ headers: vector.headers, body: bodyOf(vector) }).then(
        (result) => ({ valid: true as const, keyId: result.keyId, id: result.id, timestamp: result.timestamp }),
        (error: unknown) => {
          expect(isWebhookVerificationError(error)).toBe(true);
          return { valid: false as const, code: (error as { code: string }).code };
        },
      );
      expect(outcome).toEqual(vector.expected);
    }
  });
});
