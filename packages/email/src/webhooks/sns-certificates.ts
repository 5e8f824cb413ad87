import { pemBody } from '../internal/ecdsa.js';
import { base64ToBytes } from '../internal/encoding.js';
import type { FetchLike } from '../internal/http.js';
import { spkiFromCertificate } from '../internal/x509.js';

/**
 * Caches SNS signing certificates (as SPKI bytes) by URL. At most
 * {@link SNS_CERTIFICATE_CACHE_SIZE} entries are kept; the oldest is evicted first.
 * (Plain `Uint8Array`, not `Uint8Array<ArrayBuffer>`: the public types compile on TypeScript 5.4+.)
 */
export type SnsCertificateCache = Map<string, Promise<Uint8Array>>;

/**
 * Most SNS certificates kept per cache (the oldest is evicted first): SNS uses one per
 * region and rotates it rarely, so this bounds memory without costing downloads.
 *
 * @example
 * ```ts
 * const certificateCache: SnsCertificateCache = new Map(); // never grows past SNS_CERTIFICATE_CACHE_SIZE
 * ```
 */
export const SNS_CERTIFICATE_CACHE_SIZE = 32;

/**
 * Most certificates downloaded per cache and minute. SNS signs with one certificate per region
 * and rotates it rarely, so real traffic downloads a handful per process; a forger who knows an
 * accepted topic could otherwise make every forged request cost an outbound download (a new
 * `.pem` path each time), far more than a verified request costs.
 */
const DOWNLOADS_PER_MINUTE = 8;

/** Download budgets, per cache. */
const budgets = new WeakMap<SnsCertificateCache, { windowStart: number; used: number }>();

function spendDownload(cache: SnsCertificateCache, nowMs: number): boolean {
  let budget = budgets.get(cache);
  if (!budget || nowMs - budget.windowStart >= 60_000 || nowMs < budget.windowStart) {
    budget = { windowStart: nowMs, used: 0 };
    budgets.set(cache, budget);
  }
  if (budget.used >= DOWNLOADS_PER_MINUTE) return false;
  budget.used++;
  return true;
}

/** How certificates are downloaded and cached. @internal */
export interface SnsCertificateSource {
  readonly fetchCertificate?: ((url: string) => Promise<string>) | undefined;
  readonly fetch?: FetchLike | undefined;
  readonly certificateCache?: SnsCertificateCache | undefined;
}

const defaultCache: SnsCertificateCache = new Map();

/**
 * The SPKI of the certificate at `url` (already checked to be an SNS URL), downloaded once
 * per cache, at most {@link DOWNLOADS_PER_MINUTE} new downloads per cache and minute (beyond
 * that the request is refused without a download). A failed download or parse is not cached.
 * @internal
 */
export function snsCertificateKey(
  url: string,
  source: SnsCertificateSource,
  nowMs: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const cache = source.certificateCache ?? defaultCache;
  // Only this function fills caches, always with ArrayBuffer-backed bytes.
  let pending = cache.get(url) as Promise<Uint8Array<ArrayBuffer>> | undefined;
  if (!pending) {
    if (!spendDownload(cache, nowMs)) {
      return Promise.reject(new Error('SNS certificate download budget spent for this minute'));
    }
    if (cache.size >= SNS_CERTIFICATE_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    const download =
      source.fetchCertificate ??
      (async (u: string) => {
        const response = await (source.fetch ?? globalThis.fetch)(u);
        if (!response.ok) throw new Error(`certificate download answered ${response.status}`);
        return response.text();
      });
    pending = download(url).then((pem) => {
      const der = base64ToBytes(pemBody(pem));
      if (!der) throw new Error('certificate is not PEM');
      return spkiFromCertificate(der);
    });
    cache.set(url, pending);
    pending.catch(() => cache.delete(url));
  }
  return pending;
}
