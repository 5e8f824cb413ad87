import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generateKeyPair, parsePrivateKey, parseSecret } from '../src/index.js';
import { SECRET } from './helpers.js';

describe('redaction in Node inspect', () => {
  it('never prints secrets or private keys', async () => {
    const secret = parseSecret(SECRET);
    expect(inspect(secret)).toBe('[redacted WebhookSecret]');
    expect(inspect({ nested: secret })).not.toContain(SECRET.slice(6));
    const { privateKey } = await generateKeyPair();
    expect(inspect(parsePrivateKey(privateKey))).toBe('[redacted Ed25519PrivateKey]');
  });
});
