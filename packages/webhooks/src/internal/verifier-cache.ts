import type { Clock } from '@bulwark/core';
import { isKeyring, type Keyring } from '../keyring.js';
import type { ReplayStore } from '../replay-store.js';
import type { WebhookScheme } from '../schemes.js';
import { WebhookSecret } from '../secret.js';
import { createWebhookVerifier, type WebhookVerifier, type WebhookVerifierOptions } from '../webhook-verifier.js';
import type { CryptoPreference } from './crypto-engine.js';
import { cachedSecret } from './key-set.js';

/** Everything besides the secret that shapes a verifier, compared by value or identity. */
interface CachedVerifier {
  readonly scheme: WebhookScheme | undefined;
  readonly pastSec: number | undefined;
  readonly futureSec: number | undefined;
  readonly clock: Clock | undefined;
  readonly replayStore: ReplayStore | undefined;
  readonly crypto: CryptoPreference | undefined;
  readonly verifier: WebhookVerifier;
}

/** Verifiers kept per secret: one-shot callers rarely vary anything but the secret. */
const PER_SECRET = 4;

/**
 * Keyed by the parsed secret (or keyring) object, so the cache holds no secret material of its
 * own: string secrets map to their parsed key through the bounded parse cache, and when that
 * evicts a key its verifiers become unreachable with it.
 */
const verifiers = new WeakMap<WebhookSecret | Keyring, CachedVerifier[]>();

/** The object a secrets option is cached under, or undefined when it is not cacheable. */
function cacheKey(secrets: WebhookVerifierOptions['secrets']): WebhookSecret | Keyring | undefined {
  if (typeof secrets === 'string') {
    try {
      return cachedSecret(secrets);
    } catch {
      return undefined; // createWebhookVerifier reports the malformed secret.
    }
  }
  if (secrets instanceof WebhookSecret || isKeyring(secrets)) return secrets;
  // Lists and byte arrays are usually built per call: caching by their identity would only miss.
  return undefined;
}

function matches(entry: CachedVerifier, options: WebhookVerifierOptions, scheme: WebhookScheme | undefined): boolean {
  return (
    entry.scheme === scheme &&
    Object.is(entry.pastSec, options.tolerance?.pastSec) &&
    Object.is(entry.futureSec, options.tolerance?.futureSec) &&
    entry.clock === options.clock &&
    entry.replayStore === options.replayStore &&
    entry.crypto === options.crypto
  );
}

/** The options with `scheme` applied; copied only on a cache miss (the copy cost ~15 % of a hit). */
function configure(options: WebhookVerifierOptions, scheme: WebhookScheme | undefined): WebhookVerifierOptions {
  return scheme === undefined || scheme === options.scheme ? options : { ...options, scheme };
}

/**
 * The verifier for a one-shot `verify()`: built once per secret and configuration, then reused,
 * so a one-shot call costs what a call on a reusable verifier costs. Only options that
 * validated are cached (`createWebhookVerifier` throws before anything is stored); options with
 * Ed25519 public keys or secret lists are not cached.
 * @internal
 */
export function oneShotVerifier(options: WebhookVerifierOptions, scheme: WebhookScheme | undefined): WebhookVerifier {
  const key = options.publicKeys === undefined ? cacheKey(options.secrets) : undefined;
  if (key === undefined) return createWebhookVerifier(configure(options, scheme));
  let entries = verifiers.get(key);
  if (entries) {
    for (const entry of entries) if (matches(entry, options, scheme)) return entry.verifier;
  }
  const verifier = createWebhookVerifier(configure(options, scheme));
  const entry: CachedVerifier = {
    scheme,
    pastSec: options.tolerance?.pastSec,
    futureSec: options.tolerance?.futureSec,
    clock: options.clock,
    replayStore: options.replayStore,
    crypto: options.crypto,
    verifier,
  };
  if (!entries) {
    entries = [];
    verifiers.set(key, entries);
  }
  if (entries.length >= PER_SECRET) entries.shift();
  entries.push(entry);
  return verifier;
}
