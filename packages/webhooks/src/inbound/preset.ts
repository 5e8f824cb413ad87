import type { Chunk, MacEncoding } from '../internal/crypto-types.js';
import type { HeaderInput } from '../internal/headers.js';

/**
 * The providers with a verification preset.
 *
 * @example
 * ```ts
 * const provider: InboundProvider = 'slack';
 * ```
 */
export type InboundProvider = 'stripe' | 'github' | 'meta' | 'shopify' | 'slack' | 'twilio' | 'hubspot';

/** A received request as a preset sees it: raw body, and the URL and method when known. */
export interface PresetRequest {
  readonly headers: HeaderInput;
  readonly body: string | Uint8Array;
  /** The request URL as received (absolute, or a path); URL-signing presets resolve it with `resolveSignedUrl`. */
  readonly url: string | undefined;
  /** The verifier's `publicOrigin` option. */
  readonly publicOrigin: string | undefined;
  readonly method: string | undefined;
}

/** What a preset extracts from a request before any MAC is computed. */
export interface ParsedDelivery {
  /** Signatures from the header, in the preset's canonical text encoding. */
  readonly signatures: readonly string[];
  /** The signed timestamp in Unix ms, for schemes that sign one. */
  readonly timestampMs?: number | undefined;
  /** The message variants to MAC (several only for Twilio's with/without-port URLs). */
  readonly messages: readonly (readonly Chunk[])[];
  /** A lowercase-hex SHA-256 of the body that the signed message commits to (Twilio JSON bodies). */
  readonly bodySha256?: string | undefined;
  /** The provider's delivery id header (NOT signed): for deduplication, never for trust. */
  readonly deliveryId?: string | undefined;
}

/** A provider's signature scheme. @internal */
export interface InboundPreset {
  readonly provider: InboundProvider;
  readonly algorithm: 'sha256' | 'sha1';
  readonly encoding: MacEncoding;
  /** The header carrying the signature (lowercase). */
  readonly signatureHeader: string;
  /** Default tolerance in seconds when the scheme signs a timestamp; undefined when it signs none. */
  readonly toleranceSec: number | undefined;
  /** Whether the scheme signs the request URL (then the verifier must know it). */
  readonly signsUrl: boolean;
  /** A provider-specific secret shape check (a problem message, or undefined). */
  readonly checkSecret?: ((secret: string) => string | undefined) | undefined;
  /** Parses the headers (and body when the scheme signs parsed form fields). */
  parse(request: PresetRequest): ParsedDelivery;
}

/** Longest header value a preset reads; longer values are rejected before any parsing. */
export const MAX_HEADER_LENGTH = 8192;
