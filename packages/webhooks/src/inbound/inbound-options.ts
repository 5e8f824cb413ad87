import { assertNumberOption, type Clock, systemClock } from '@bulwark/core';
import { type CryptoPreference, selectEngine } from '../internal/crypto-engine.js';
import type { CryptoEngine } from '../internal/crypto-types.js';
import type { IdentifiedKey } from '../internal/key-set.js';
import type { Tolerance } from '../internal/timestamp.js';
import type { ReplayStore } from '../replay-store.js';
import type { WebhookSecret } from '../secret.js';
import type { InboundPreset, InboundProvider } from './preset.js';
import { presetFor } from './presets/index.js';
import { type ProviderSecretsOption, resolveProviderSecrets } from './provider-secrets.js';
import { validatePublicOrigin } from './signed-url.js';

/**
 * Configuration of {@link createInboundVerifier} (validated once).
 *
 * @example
 * ```ts
 * const options: InboundVerifierOptions = {
 *   provider: 'twilio',
 *   secrets: process.env.TWILIO_AUTH_TOKEN!,
 *   publicOrigin: 'https://hooks.example.com', // Twilio signs the URL it called
 * };
 * ```
 */
export interface InboundVerifierOptions {
  /** Which provider's scheme to verify. Type: `'stripe' | 'github' | 'meta' | 'shopify' | 'slack' | 'twilio' | 'hubspot'`. */
  provider: InboundProvider;
  /** The provider's secret(s), exactly as the provider shows them; several during a rotation. */
  secrets: ProviderSecretsOption;
  /**
   * Accepted clock skew, for the schemes that sign a timestamp (Stripe, Slack, HubSpot).
   * Type: `{ pastSec, futureSec }`. Default: `{ pastSec: 300, futureSec: 300 }`. Rejected for the others.
   */
  tolerance?: Tolerance;
  /** Time source. Type: `Clock`. Default: `systemClock`. */
  clock?: Clock;
  /**
   * Rejects a second acceptance of the same signed message (keyed by its MAC). Timestamped
   * schemes keep keys for the tolerance window; the others need `replayTtlSec`. Default: none.
   */
  replayStore?: ReplayStore;
  /**
   * How long a replay store remembers a message of a scheme that signs no timestamp (GitHub,
   * Meta, Shopify, Twilio); required with `replayStore` there, rejected elsewhere. Type: `number`
   * (1-2592000). Default: none.
   */
  replayTtlSec?: number;
  /**
   * The scheme, host and port the provider calls (e.g. `'https://hooks.example.com'`), for the
   * schemes that sign the URL (Twilio, HubSpot) when the server sees another origin (a proxy)
   * or only a path (Node, Express). Type: `string`. Default: the request's own absolute URL.
   */
  publicOrigin?: string;
  /** `auto` uses node:crypto when available, else Web Crypto. Type: `'auto' | 'webcrypto'`. Default: `'auto'`. */
  crypto?: CryptoPreference;
}

const DEFAULT_TOLERANCE_SEC = 300;
const MAX_TOLERANCE_SEC = 7 * 24 * 3600;
const MAX_REPLAY_TTL_SEC = 30 * 24 * 3600;

/** The options of one verifier, validated and resolved once. @internal */
export interface ResolvedInboundOptions {
  readonly preset: InboundPreset;
  readonly pastSec: number;
  readonly futureSec: number;
  readonly keys: readonly IdentifiedKey<WebhookSecret>[];
  readonly clock: Clock;
  readonly replayStore: ReplayStore | undefined;
  /** How long a replay key lives: the tolerance window, or `replayTtlSec`. */
  readonly replayTtlMs: number;
  readonly publicOrigin: string | undefined;
  readonly engine: CryptoEngine;
}

function validateOptions(options: InboundVerifierOptions, preset: InboundPreset): void {
  const timestamped = preset.toleranceSec !== undefined;
  if (options.tolerance !== undefined && !timestamped) {
    throw new TypeError(`Expected no \`tolerance\`: ${preset.provider} signs no timestamp`);
  }
  if (options.replayTtlSec !== undefined) {
    if (timestamped) {
      throw new TypeError(
        `Expected no \`replayTtlSec\`: ${preset.provider} signs a timestamp, so replay keys live for the tolerance window`,
      );
    }
    assertNumberOption('replayTtlSec', options.replayTtlSec, { min: 1, max: MAX_REPLAY_TTL_SEC, integer: true });
  } else if (options.replayStore !== undefined && !timestamped) {
    throw new TypeError(
      `Expected \`replayTtlSec\` with \`replayStore\`: ${preset.provider} signs no timestamp, so say how long a message is remembered`,
    );
  }
  if (options.publicOrigin !== undefined) {
    if (!preset.signsUrl) throw new TypeError(`Expected no \`publicOrigin\`: ${preset.provider} does not sign the URL`);
    validatePublicOrigin(options.publicOrigin);
  }
}

/**
 * Validates the options once, naming the option at fault, and resolves defaults and secrets.
 * @throws {TypeError|RangeError} for invalid options.
 * @throws {webhook_secret_malformed} for an empty or misshapen secret.
 * @internal
 */
export function resolveInboundOptions(options: InboundVerifierOptions): ResolvedInboundOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('Expected an options object');
  const preset = presetFor(options.provider);
  validateOptions(options, preset);
  const pastSec = options.tolerance?.pastSec ?? preset.toleranceSec ?? DEFAULT_TOLERANCE_SEC;
  const futureSec = options.tolerance?.futureSec ?? preset.toleranceSec ?? DEFAULT_TOLERANCE_SEC;
  assertNumberOption('tolerance.pastSec', pastSec, { min: 0, max: MAX_TOLERANCE_SEC, integer: true });
  assertNumberOption('tolerance.futureSec', futureSec, { min: 0, max: MAX_TOLERANCE_SEC, integer: true });
  return Object.freeze({
    preset,
    pastSec,
    futureSec,
    keys: resolveProviderSecrets(options.secrets, preset.checkSecret),
    clock: options.clock ?? systemClock,
    replayStore: options.replayStore,
    replayTtlMs: preset.toleranceSec === undefined ? (options.replayTtlSec ?? 0) * 1000 : (pastSec + futureSec) * 1000,
    publicOrigin: options.publicOrigin,
    engine: selectEngine(options.crypto ?? 'auto'),
  });
}
