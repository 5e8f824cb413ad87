import type { InboundPreset, InboundProvider } from '../preset.js';
import { githubPreset, metaPreset } from './hub-signature.js';
import { hubspotPreset } from './hubspot.js';
import { shopifyPreset } from './shopify.js';
import { slackPreset } from './slack.js';
import { stripePreset } from './stripe.js';
import { twilioPreset } from './twilio.js';

const PRESETS: Readonly<Record<InboundProvider, InboundPreset>> = Object.freeze({
  stripe: stripePreset,
  github: githubPreset,
  meta: metaPreset,
  shopify: shopifyPreset,
  slack: slackPreset,
  twilio: twilioPreset,
  hubspot: hubspotPreset,
});

/**
 * Every provider with a preset, in documentation order.
 *
 * @example
 * ```ts
 * INBOUND_PROVIDERS.includes('hubspot'); // true
 * ```
 */
export const INBOUND_PROVIDERS: readonly InboundProvider[] = Object.freeze(Object.keys(PRESETS) as InboundProvider[]);

/**
 * The preset of a provider.
 * @throws {TypeError} naming the accepted providers.
 */
export function presetFor(provider: unknown): InboundPreset {
  if (typeof provider === 'string' && Object.hasOwn(PRESETS, provider)) return PRESETS[provider as InboundProvider];
  throw new TypeError(
    `Expected \`provider\` to be one of ${INBOUND_PROVIDERS.join(', ')}, got ${String(provider).slice(0, 40)}`,
  );
}
