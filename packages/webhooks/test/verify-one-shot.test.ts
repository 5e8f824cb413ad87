import { describe, expect, it } from 'vitest';
import {
  createKeyring,
  createMemoryReplayStore,
  generateKeyPair,
  generateSecret,
  parseSecret,
  STANDARD_HEADERS,
  sign,
  verify,
  verifyStandardWebhook,
} from '../src/index.js';
import { clockAt, NEXT_SECRET, NOW_SEC, rejection, SECRET } from './helpers.js';

const body = '{"type":"invoice.paid"}';

function headersFor(id: string, scheme: 'bulwark' | 'standard' = 'bulwark', secrets = SECRET) {
  return sign({ scheme, body, secrets, timestamp: NOW_SEC, id });
}

// One-shot calls reuse a verifier per secret and configuration: nothing of one call's
// configuration may leak into another call that differs in any option.
describe('one-shot verify reuses verifiers without mixing configurations', () => {
  it('uses each call’s own clock', async () => {
    const headers = await headersFor('clock_1');
    await expect(verify({ secrets: SECRET, clock: clockAt(), headers, body })).resolves.toMatchObject({ keyId: '0' });
    const late = await rejection(verify({ secrets: SECRET, clock: clockAt(NOW_SEC + 301), headers, body }));
    expect(late.code).toBe('webhook_timestamp_too_old');
  });

  it('uses each call’s own tolerance', async () => {
    const headers = await headersFor('tol_1');
    const clock = clockAt(NOW_SEC + 100);
    await expect(verify({ secrets: SECRET, clock, headers, body })).resolves.toBeTruthy();
    const strict = await rejection(verify({ secrets: SECRET, clock, tolerance: { pastSec: 99 }, headers, body }));
    expect(strict.code).toBe('webhook_timestamp_too_old');
    await expect(verify({ secrets: SECRET, clock, tolerance: { pastSec: 100 }, headers, body })).resolves.toBeTruthy();
  });

  it('uses each call’s own replay store', async () => {
    const headers = await headersFor('replay_1');
    const clock = clockAt();
    const one = createMemoryReplayStore({ clock });
    const two = createMemoryReplayStore({ clock });
    await expect(verify({ secrets: SECRET, clock, replayStore: one, headers, body })).resolves.toBeTruthy();
    await expect(verify({ secrets: SECRET, clock, replayStore: two, headers, body })).resolves.toBeTruthy();
    expect((await rejection(verify({ secrets: SECRET, clock, replayStore: one, headers, body }))).code).toBe(
      'webhook_replayed',
    );
    // Without a store, nothing is remembered.
    await expect(verify({ secrets: SECRET, clock, headers, body })).resolves.toBeTruthy();
    await expect(verify({ secrets: SECRET, clock, headers, body })).resolves.toBeTruthy();
  });

  it('uses each call’s own scheme and secret', async () => {
    const clock = clockAt();
    const standard = await headersFor('msg_1', 'standard');
    await expect(verifyStandardWebhook({ secrets: SECRET, clock, headers: standard, body })).resolves.toMatchObject({
      scheme: 'standard',
    });
    const asBulwark = await rejection(verify({ secrets: SECRET, clock, headers: standard, body }));
    expect(asBulwark.code).toBe('webhook_header_missing');
    const other = await rejection(verifyStandardWebhook({ secrets: NEXT_SECRET, clock, headers: standard, body }));
    expect(other.code).toBe('webhook_signature_mismatch');
  });

  it('keeps more configurations per secret than it caches, each still correct', async () => {
    const headers = await headersFor('many_1');
    for (let round = 0; round < 2; round++) {
      for (let offset = 0; offset < 8; offset++) {
        const clock = clockAt(NOW_SEC + offset * 100);
        const result = verify({ secrets: SECRET, clock, tolerance: { pastSec: 350 }, headers, body });
        if (offset * 100 <= 350) await expect(result).resolves.toBeTruthy();
        else expect((await rejection(result)).code).toBe('webhook_timestamp_too_old');
      }
    }
  });

  it('caches parsed secrets and keyrings by identity, reporting their key ids', async () => {
    const clock = clockAt();
    const secret = parseSecret(SECRET, { id: 'primary' });
    const headers = await headersFor('id_1');
    await expect(verify({ secrets: secret, clock, headers, body })).resolves.toMatchObject({ keyId: 'primary' });
    const keyring = createKeyring([
      { id: 'old', secret: NEXT_SECRET },
      { id: 'new', secret: SECRET },
    ]);
    await expect(verify({ secrets: keyring, clock, headers, body })).resolves.toMatchObject({ keyId: 'new' });
    await expect(verify({ secrets: keyring, clock, headers, body })).resolves.toMatchObject({ keyId: 'new' });
  });

  it('validates options on every call that is not cached, and never caches invalid ones', async () => {
    const headers = await headersFor('bad_1');
    const options = { secrets: SECRET, clock: clockAt(), headers, body };
    for (let i = 0; i < 2; i++) {
      await expect(verify({ ...options, tolerance: { pastSec: Number.NaN } })).rejects.toThrow(/pastSec/);
      await expect(verify({ ...options, scheme: 'nope' as never })).rejects.toThrow(/scheme/);
      expect((await rejection(verify({ ...options, secrets: 'whsec_short' }))).code).toBe('webhook_secret_malformed');
    }
  });

  it('stays correct when more secrets are used than the parse cache keeps', async () => {
    const clock = clockAt();
    const secrets = Array.from({ length: 300 }, () => generateSecret());
    for (const [i, secret] of secrets.entries()) {
      const headers = await sign({ body, secrets: secret, timestamp: NOW_SEC, id: `evict_${i}` });
      await expect(verify({ secrets: secret, clock, headers, body })).resolves.toBeTruthy();
    }
    const first = secrets[0] as string;
    const headers = await sign({ body, secrets: first, timestamp: NOW_SEC, id: 'evict_again' });
    await expect(verify({ secrets: first, clock, headers, body })).resolves.toBeTruthy();
    expect((await rejection(verify({ secrets: secrets[1] as string, clock, headers, body }))).code).toBe(
      'webhook_signature_mismatch',
    );
  });

  it('reads the system clock when no clock is given', async () => {
    const nowSec = Math.floor(Date.now() / 1000);
    const headers = await sign({ body, secrets: SECRET, timestamp: nowSec, id: 'system_clock' });
    await expect(verify({ secrets: SECRET, headers, body })).resolves.toMatchObject({ timestamp: nowSec });
  });

  it('tries Ed25519 keys only against v1a entries of a mixed header', async () => {
    const pair = await generateKeyPair();
    const ed = await sign({ scheme: 'standard', body, privateKeys: pair.privateKey, timestamp: NOW_SEC, id: 'mixed' });
    const hmac = await sign({ scheme: 'standard', body, secrets: NEXT_SECRET, timestamp: NOW_SEC, id: 'mixed' });
    const headers = {
      ...ed,
      [STANDARD_HEADERS.signature]: `${hmac[STANDARD_HEADERS.signature]} ${ed[STANDARD_HEADERS.signature]}`,
    };
    const options = { secrets: SECRET, publicKeys: pair.publicKey, clock: clockAt(), headers, body };
    await expect(verifyStandardWebhook(options)).resolves.toMatchObject({ version: 'v1a' });
  });
});
