import { formatIp, parseIp } from './ip.js';
import type { KeyExtractor } from './keys.js';

/** Options of {@link cloudflareIpKey}. */
export interface CloudflareIpKeyOptions {
  /** IPv6 clients are keyed by this prefix length, since one client often holds a whole /64. Default: `64`. */
  readonly ipv6Subnet?: number | undefined;
  /** Prefix of the returned key. Default: `"ip:"`. */
  readonly prefix?: string | undefined;
}

/**
 * Keys requests by the `CF-Connecting-IP` header, the client address Cloudflare sets on every
 * request it forwards to a Worker (a client cannot choose it there). The value is parsed strictly
 * as an IP address (anything else gives no key) and IPv6 is grouped by `ipv6Subnet`, as
 * {@link ipKey} does. The Fetch middleware use it by default on Cloudflare Workers; do not use it
 * on other runtimes, where any client can send the header.
 *
 * @throws {RangeError} when `ipv6Subnet` is not an integer in [1, 128].
 * @example
 * ```ts
 * export default { fetch: withRateLimit(limiter, (request) => new Response('ok'), { key: cloudflareIpKey() }) };
 * ```
 */
export function cloudflareIpKey(options: CloudflareIpKeyOptions = {}): KeyExtractor {
  const v6Bits = options.ipv6Subnet ?? 64;
  if (!Number.isInteger(v6Bits) || v6Bits < 1 || v6Bits > 128) {
    throw new RangeError(`Expected \`ipv6Subnet\` to be an integer in [1, 128], got ${v6Bits}`);
  }
  const prefix = options.prefix ?? 'ip:';
  return (request) => {
    const value = request.header('cf-connecting-ip');
    const ip = value === undefined ? undefined : parseIp(value);
    return ip === undefined ? undefined : prefix + formatIp(ip, v6Bits);
  };
}

/**
 * Whether this code runs in Cloudflare Workers, the runtime's own documented check
 * (`navigator.userAgent === 'Cloudflare-Workers'`), read on each call.
 * @internal
 */
export function isCloudflareWorkers(): boolean {
  return (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent === 'Cloudflare-Workers';
}
