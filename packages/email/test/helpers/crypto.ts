import { bytesToBase64 } from '../../src/internal/encoding.js';

const encoder = new TextEncoder();

function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return [0x80 | bytes.length, ...bytes];
}

/** Encodes one DER element. */
export function der(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const body = new Uint8Array(contents.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of contents) {
    body.set(c, offset);
    offset += c.length;
  }
  return new Uint8Array([tag, ...derLength(body.length), ...body]);
}

function derInteger(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return der(0x02, (trimmed[0] as number) & 0x80 ? new Uint8Array([0, ...trimmed]) : trimmed);
}

/** Web Crypto's `r || s` signature as ASN.1 DER (what SendGrid sends). */
export function p1363ToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  return der(0x30, derInteger(raw.subarray(0, half)), derInteger(raw.subarray(half)));
}

/** A SendGrid-like signer: an ECDSA P-256 key pair and the base64 DER public key. */
export async function createSendGridSigner() {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const publicKey = bytesToBase64(new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey)));
  return {
    publicKey,
    async sign(timestamp: string, body: string): Promise<string> {
      const raw = await crypto.subtle.sign(
        { name: 'ECDSA', hash: 'SHA-256' },
        pair.privateKey,
        encoder.encode(timestamp + body),
      );
      return bytesToBase64(p1363ToDer(new Uint8Array(raw)));
    },
  };
}

const OID_SHA256_RSA = new Uint8Array([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]);
const NULL = new Uint8Array([0x05, 0x00]);

/** A structurally valid X.509 certificate (PEM) around `spki`; its own signature is not checked by SNS clients. */
export function certificatePem(spki: Uint8Array): string {
  const algorithm = der(0x30, OID_SHA256_RSA, NULL);
  const name = der(
    0x30,
    der(
      0x31,
      der(0x30, new Uint8Array([0x06, 0x03, 0x55, 0x04, 0x03]), der(0x0c, encoder.encode('sns.amazonaws.com'))),
    ),
  );
  const validity = der(0x30, der(0x17, encoder.encode('250101000000Z')), der(0x17, encoder.encode('350101000000Z')));
  const tbs = der(
    0x30,
    der(0xa0, der(0x02, new Uint8Array([2]))),
    der(0x02, new Uint8Array([1])),
    algorithm,
    name,
    validity,
    name,
    spki,
  );
  const cert = der(0x30, tbs, algorithm, der(0x03, new Uint8Array([0, 1, 2, 3])));
  const base64 = bytesToBase64(cert).replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
}

/** An SNS-like signer: an RSA key, its certificate PEM, and SignatureVersion 1/2 signing. */
export async function createSnsSigner() {
  const params = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };
  const pair = await crypto.subtle.generateKey({ ...params, hash: 'SHA-256' }, true, ['sign', 'verify']);
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', pair.privateKey);
  const sha1Key = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' }, false, [
    'sign',
  ]);
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  return {
    pem: certificatePem(spki),
    async sign(envelope: Record<string, string>, version: '1' | '2' = '1'): Promise<Record<string, string>> {
      const keys =
        envelope.Type === 'Notification'
          ? ['Message', 'MessageId', ...('Subject' in envelope ? ['Subject'] : []), 'Timestamp', 'TopicArn', 'Type']
          : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
      const text = keys.map((k) => `${k}\n${envelope[k]}\n`).join('');
      const key = version === '1' ? sha1Key : pair.privateKey;
      const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, encoder.encode(text));
      return { ...envelope, SignatureVersion: version, Signature: bytesToBase64(new Uint8Array(signature)) };
    },
  };
}
