import { ipPrefixMatches } from '@bulwark/core';
import { EgressRefusedError } from './errors/egress-refused-error.js';
import { classifyAddress, embeddedIpv4, parseAddress } from './internal/ip.js';

/** One address a host name resolves to. */
export interface ResolvedAddress {
  readonly address: string;
  /** 4 or 6. */
  readonly family: number;
}

/** Resolves a host name to all its addresses (default: `dns.promises.lookup(host, { all: true })`). */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** Egress (SSRF) policy options. */
export interface EgressOptions {
  /**
   * Addresses (`127.0.0.1`, `::1`), CIDR ranges (`10.0.0.0/8`, `fd00::/8`) or exact host names
   * (`hooks.internal`) that may be delivered to even though they are not public. For tests and
   * internal receivers only.
   * @defaultValue []
   */
  readonly allow?: readonly string[] | undefined;
  /** Permit `http:` endpoint URLs (otherwise only `https:`). @defaultValue false */
  readonly allowHttp?: boolean | undefined;
}

/** An allowlist entry: a host name, or an address range (4 or 16 network bytes). */
type AllowRule = { kind: 'host'; host: string } | { kind: 'range'; network: Uint8Array; prefix: number };

function parseRule(entry: string): AllowRule {
  const [addr = '', prefixText] = entry.split('/');
  const network = parseAddress(addr);
  const max = network?.length === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
    throw new RangeError(`Expected \`egress.allow\` entries to be addresses, CIDRs or host names, got ${entry}`);
  }
  if (network) return { kind: 'range', network, prefix };
  if (prefixText !== undefined || !/^[a-z0-9.-]+$/i.test(entry)) {
    throw new RangeError(`Expected \`egress.allow\` entries to be addresses, CIDRs or host names, got ${entry}`);
  }
  return { kind: 'host', host: entry.toLowerCase() };
}

/** A compiled egress policy. */
export interface EgressGuard {
  /** Checks the scheme and, for IP-literal hosts, the address. Throws {@link EgressRefusedError}. */
  checkUrl(url: URL): void;
  /** Whether `hostname` is allowlisted by name (its addresses are then not checked). */
  isAllowedHost(hostname: string): boolean;
  /** Throws {@link EgressRefusedError} when any address is non-public and not allowlisted. */
  checkAddresses(hostname: string, addresses: readonly ResolvedAddress[]): void;
}

/** Strips IPv6 brackets from a URL hostname. */
export function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/**
 * Compiles an egress policy: `https` only unless `allowHttp`, and addresses in loopback,
 * RFC 1918, shared, link-local, metadata, unique-local, multicast or reserved ranges refused
 * unless allowlisted. The dispatcher checks resolved addresses at connect time (after DNS).
 *
 * @param options - Allowlist and scheme policy.
 * @throws {RangeError} when an allowlist entry is malformed.
 * @example
 * ```ts
 * const guard = createEgressGuard({ allow: ['127.0.0.1'], allowHttp: true });
 * guard.checkUrl(new URL('http://127.0.0.1:8080/hook'));
 * ```
 */
export function createEgressGuard(options: EgressOptions = {}): EgressGuard {
  const rules = (options.allow ?? []).map(parseRule);
  const allowHttp = options.allowHttp ?? false;

  /** An IPv4 range also allows the IPv6 forms that carry its addresses (mapped, NAT64). */
  function isAllowedAddress(address: string): boolean {
    const bytes = parseAddress(address);
    if (!bytes) return false;
    const embedded = embeddedIpv4(bytes);
    return rules.some(
      (rule) =>
        rule.kind === 'range' &&
        (ipPrefixMatches(rule.network, rule.prefix, bytes) ||
          (embedded !== undefined && ipPrefixMatches(rule.network, rule.prefix, embedded))),
    );
  }

  const isAllowedHost = (hostname: string): boolean =>
    rules.some((rule) => rule.kind === 'host' && rule.host === hostname.toLowerCase());

  function checkAddresses(hostname: string, addresses: readonly ResolvedAddress[]): void {
    for (const { address } of addresses) {
      const range = classifyAddress(address);
      if (range !== null && !isAllowedAddress(address)) throw new EgressRefusedError(hostname, address, range);
    }
  }

  return Object.freeze({
    isAllowedHost,
    checkAddresses,
    checkUrl(url: URL): void {
      const host = bareHost(url.hostname);
      if (url.protocol === 'http:' && !allowHttp) throw new EgressRefusedError(host, '', 'insecure-scheme');
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new EgressRefusedError(host, '', 'insecure-scheme');
      if (isAllowedHost(host)) return;
      if (parseAddress(host) !== undefined || host.includes(':')) {
        checkAddresses(host, [{ address: host, family: host.includes(':') ? 6 : 4 }]);
      }
    },
  });
}
