import { sha256Hex } from '../key.js';
import { type Cidr, formatIp, inCidr, parseCidr, parseIp } from './ip.js';

/** What key extractors see of a request, whatever the framework. */
export interface RequestInfo {
  /** A request header (case-insensitive name), or undefined. */
  header(name: string): string | undefined;
  /** The TCP peer address, when the framework exposes it. */
  readonly remoteAddress: string | undefined;
}

/** Turns a request into a rate-limit key; undefined means "no key" (see the middleware's `onMissingKey`). */
export type KeyExtractor = (request: RequestInfo) => string | undefined | Promise<string | undefined>;

/** Options of {@link ipKey} and {@link clientIp}. */
export interface IpKeyOptions {
  /** Proxies whose `X-Forwarded-For` entries are believed: addresses or CIDRs (`10.0.0.0/8`, `::1`). Default: none. */
  readonly trustedProxies?: readonly string[] | undefined;
  /** IPv6 clients are keyed by this prefix length, since one client often holds a whole /64. Default: `64`. */
  readonly ipv6Subnet?: number | undefined;
  /** Prefix of the returned key. Default: `"ip:"`. */
  readonly prefix?: string | undefined;
}

function compileProxies(list: readonly string[]): Cidr[] {
  return list.map((entry, i) => {
    const cidr = parseCidr(entry);
    if (!cidr)
      throw new TypeError(
        `Expected \`trustedProxies[${i}]\` to be an IP address or CIDR, got ${JSON.stringify(entry)}`,
      );
    return cidr;
  });
}

/**
 * Returns a function finding the client address of a request: the TCP peer, unless it is a
 * trusted proxy, in which case `X-Forwarded-For` is walked from the right, skipping trusted
 * proxies; the first untrusted hop is the client. Entries that are not IP addresses end the walk
 * at the last trusted hop, so a client cannot mint keys by sending garbage.
 *
 * @throws {TypeError} when a `trustedProxies` entry is not an address or CIDR.
 * @example
 * ```ts
 * const ip = clientIp({ trustedProxies: ['10.0.0.0/8'] });
 * ip({ header: () => '203.0.113.9, 10.0.0.2', remoteAddress: '10.0.0.1' }); // '203.0.113.9'
 * ```
 */
export function clientIp(options: IpKeyOptions = {}): (request: RequestInfo) => string | undefined {
  const proxies = compileProxies(options.trustedProxies ?? []);
  const v6Bits = options.ipv6Subnet ?? 64;
  if (!Number.isInteger(v6Bits) || v6Bits < 1 || v6Bits > 128) {
    throw new RangeError(`Expected \`ipv6Subnet\` to be an integer in [1, 128], got ${v6Bits}`);
  }
  const trusted = (ip: Uint8Array): boolean => proxies.some((cidr) => inCidr(ip, cidr));
  return (request) => {
    let current = request.remoteAddress === undefined ? undefined : parseIp(request.remoteAddress);
    if (!current) return undefined;
    if (proxies.length > 0 && trusted(current)) {
      const hops = (request.header('x-forwarded-for') ?? '')
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean);
      while (trusted(current) && hops.length > 0) {
        const hop = parseIp(hops.pop() as string);
        if (!hop) break;
        current = hop;
      }
    }
    return formatIp(current, v6Bits);
  };
}

/**
 * Keys requests by client IP (see {@link clientIp}), e.g. `ip:203.0.113.9` or
 * `ip:2001:db8:0:0:0:0:0:0/64`.
 *
 * @example
 * ```ts
 * app.use(expressRateLimit(limiter, { key: ipKey({ trustedProxies: ['127.0.0.1'] }) }));
 * ```
 */
export function ipKey(options: IpKeyOptions = {}): KeyExtractor {
  const ip = clientIp(options);
  const prefix = options.prefix ?? 'ip:';
  return (request) => {
    const address = ip(request);
    return address === undefined ? undefined : prefix + address;
  };
}

/**
 * Keys requests by a header value, e.g. a tenant id set by an upstream gateway. Missing or
 * empty headers give no key.
 *
 * @example
 * ```ts
 * const byTenant = headerKey('x-tenant-id', { prefix: 'tenant:' });
 * ```
 */
export function headerKey(name: string, options: { readonly prefix?: string | undefined } = {}): KeyExtractor {
  if (typeof name !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new TypeError(`Expected \`name\` to be a header name, got ${JSON.stringify(name)}`);
  }
  const prefix = options.prefix ?? `${name.toLowerCase()}:`;
  return (request) => {
    const value = request.header(name)?.trim();
    return value ? prefix + value : undefined;
  };
}

/** Options of {@link apiKey}. */
export interface ApiKeyOptions {
  /** Header read when there is no `Authorization: Bearer` credential. Default: `"x-api-key"`. */
  readonly header?: string | undefined;
  /** Prefix of the returned key. Default: `"key:"`. */
  readonly prefix?: string | undefined;
  /** Key by the SHA-256 of the credential, so secrets never reach the store verbatim. Default: `true`. */
  readonly hash?: boolean | undefined;
}

/**
 * Keys requests by API key: the `Authorization: Bearer <token>` credential, else the
 * `X-API-Key` header (configurable). By default the key is `key:<sha256 hex of the credential>`.
 *
 * @example
 * ```ts
 * const key = apiKey({ header: 'x-api-key' });
 * ```
 */
export function apiKey(options: ApiKeyOptions = {}): KeyExtractor {
  const header = headerKey(options.header ?? 'x-api-key', { prefix: '' });
  const prefix = options.prefix ?? 'key:';
  const hash = options.hash ?? true;
  return (request) => {
    const value = request.header('authorization')?.match(/^Bearer\s+(\S+)\s*$/i)?.[1] ?? header(request);
    if (typeof value !== 'string') return undefined;
    return hash ? sha256Hex(value).then((hex) => prefix + hex) : prefix + value;
  };
}
