import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hubspotUri } from '../src/inbound/presets/hubspot.js';
import { twilioFormString, twilioUrlVariants } from '../src/inbound/presets/twilio-form.js';
import { createInboundVerifier } from '../src/inbound.js';
import { rejection } from './helpers.js';
import { SECRETS, signFor } from './inbound-helpers.js';

describe('twilioFormString', () => {
  it('sorts names, then the distinct values of a repeated name, and skips empty pairs', () => {
    expect(twilioFormString('b=2&&a=1&c&a=0&a=1')).toBe('a0a1b2c');
  });

  it('decodes + and percent-escapes (UTF-8), from a string or bytes alike', () => {
    const form = 'Body=hi+there%21+%F0%9F%8E%89';
    expect(twilioFormString(form)).toBe('Bodyhi there! 🎉');
    expect(twilioFormString(new TextEncoder().encode(form))).toBe('Bodyhi there! 🎉');
  });

  it.each(['a=%E0%A4', 'a=%', '%zz=1'])('refuses a malformed escape (%s)', (form) => {
    expect(() => twilioFormString(form)).toThrow(expect.objectContaining({ code: 'webhook_body_unsupported' }));
  });
});

/**
 * The reference model of Twilio's field string: names sorted, each name's distinct values
 * sorted (a Map of Sets, as twilio's `getExpectedTwilioSignature` builds it from parsed fields).
 */
function modelFormString(text: string): string | { code: string } {
  const fields = new Map<string, Set<string>>();
  const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
  try {
    for (const pair of text.split('&').filter((p) => p !== '')) {
      const at = pair.indexOf('=');
      const name = decode(at === -1 ? pair : pair.slice(0, at));
      const value = at === -1 ? '' : decode(pair.slice(at + 1));
      fields.set(name, (fields.get(name) ?? new Set()).add(value));
    }
  } catch {
    return { code: 'webhook_body_unsupported' };
  }
  let out = '';
  for (const name of [...fields.keys()].sort()) {
    for (const value of [...(fields.get(name) as Set<string>)].sort()) out += name + value;
  }
  return out;
}

function outcome(form: string | Uint8Array): string | { code: string } {
  try {
    return twilioFormString(form);
  } catch (error) {
    return { code: (error as { code: string }).code };
  }
}

/** Form text from the characters that matter to the parser: separators, escapes, `+`, non-ASCII. */
const formText = fc
  .array(
    fc.constantFrom(
      'a',
      'b',
      'B',
      '=',
      '&',
      '+',
      '%',
      '%2B',
      '%26',
      '%3D',
      '%F0%9F%8E%89',
      '%E0%A4',
      '%zz',
      'é',
      '\u{1F600}',
      '\uE000',
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

describe('twilioFormString', () => {
  it('agrees with the Map-of-Sets model on any form text (result or error code), from a string or bytes', () => {
    fc.assert(
      fc.property(formText, (text) => {
        const expected = modelFormString(text);
        expect(outcome(text)).toEqual(expected);
        expect(outcome(new TextEncoder().encode(text))).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses the 1001st field, wherever the fields are', () => {
    const fields = Array.from({ length: 1000 }, (_, i) => `f${i}=${i}`);
    expect(twilioFormString(fields.join('&&'))).toHaveLength(fields.join('').replace(/=/g, '').length);
    expect(outcome([...fields, 'z'].join('&'))).toEqual({ code: 'webhook_body_unsupported' });
    // Repeats count too, though each distinct pair is signed once.
    expect(twilioFormString(Array(1000).fill('a=1').join('&'))).toBe('a1');
    expect(outcome(Array(1001).fill('a=1').join('&'))).toEqual({ code: 'webhook_body_unsupported' });
  });
});

describe('twilioUrlVariants', () => {
  it.each([
    ['https://h.example/a?b=1', ['https://h.example/a?b=1', 'https://h.example:443/a?b=1']],
    ['http://h.example/a', ['http://h.example/a', 'http://h.example:80/a']],
    ['https://h.example:443/a', ['https://h.example/a', 'https://h.example:443/a']],
    ['https://h.example:8443/a', ['https://h.example/a', 'https://h.example:8443/a']],
    ['https://user:pw@h.example/a', ['https://user:pw@h.example/a', 'https://user:pw@h.example:443/a']],
    ['https://[::1]:8443/a', ['https://[::1]/a', 'https://[::1]:8443/a']],
    ['not a url', ['not a url']],
  ])('%s', (url, variants) => {
    expect(twilioUrlVariants(url)).toEqual(variants);
  });
});

describe('hubspotUri', () => {
  it("decodes only the escapes HubSpot's v3 instructions list, in either case", () => {
    expect(hubspotUri('https://h.example/p?e=a%40b&t=10%3a30&s=%20&q=%3F%2f')).toBe(
      'https://h.example/p?e=a@b&t=10:30&s=%20&q=?/',
    );
  });
});

describe('strict header grammars', () => {
  const verifier = (provider: 'stripe' | 'twilio') => createInboundVerifier({ provider, secrets: SECRETS[provider] });

  it('stripe: more than 16 entries is malformed', async () => {
    const header = `t=1700000000,${Array.from({ length: 16 }, () => `v1=${'a'.repeat(64)}`).join(',')}`;
    const error = await rejection(verifier('stripe').verify({ headers: { 'stripe-signature': header }, body: '{}' }));
    expect(error.code).toBe('webhook_header_malformed');
  });

  it.each([
    ['repeated', 'bodySHA256=HASH&bodySHA256=HASH'],
    ['not lowercase hex', 'bodySHA256=XYZ'],
  ])('twilio: a %s bodySHA256 is malformed', async (_kind, query) => {
    const { headers, body, url } = await signFor('twilio', '{}');
    const hash = /bodySHA256=([0-9a-f]+)/.exec(url)?.[1] as string;
    const bad = `https://h.example/status?${query.replace(/HASH/g, hash)}`;
    expect((await rejection(verifier('twilio').verify({ headers, body, url: bad }))).code).toBe(
      'webhook_header_malformed',
    );
  });

  it('twilio: bodySHA256 after a fragment is not read, and a fragment ends the query', async () => {
    const { headers, body, url } = await signFor('twilio', '{}', { url: 'https://h.example/status?x=1' });
    // The signed URL carries the hash; a fragment after it does not change which parameters are read.
    const error = await rejection(verifier('twilio').verify({ headers, body, url: `${url}#frag` }));
    expect(error.code).toBe('webhook_signature_mismatch');
    const noQuery = await rejection(
      verifier('twilio').verify({
        headers: { ...headers, 'content-type': 'application/json' },
        body,
        url: 'https://h.example/status#bodySHA256=x',
      }),
    );
    expect(noQuery.code).toBe('webhook_body_unsupported');
  });

  it('provider secrets: a null entry is webhook_secret_malformed', () => {
    expect(() => createInboundVerifier({ provider: 'slack', secrets: [null as never] })).toThrow(/got null/);
  });
});
