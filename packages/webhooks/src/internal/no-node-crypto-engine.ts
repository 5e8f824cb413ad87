import type { CryptoEngine } from './crypto-types.js';

/**
 * The target of `#node-crypto-engine` (package.json `imports`) outside the `node` condition:
 * browsers, workerd, Vercel Edge and other bundles get no node:crypto fast path (and do not
 * carry its code); Web Crypto serves every call there.
 */
export function loadNodeCryptoEngine(_secretBytes: unknown): CryptoEngine | undefined {
  return undefined;
}
