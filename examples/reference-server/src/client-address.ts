import { clientIp } from '@bulwark/ratelimit';
import type { Context } from 'hono';

/** The client address of a request: the TCP peer, or the forwarded client when the peer is a trusted proxy. */
export type ClientAddress = (c: Context) => string;

/** The peer address `@hono/node-server` exposes; `app.request()` in tests has none. */
export function peerAddress(c: Context): string | undefined {
  return (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
}

/**
 * Builds the address resolver from `TRUSTED_PROXIES`: `X-Forwarded-For` is believed only when the
 * TCP peer is one of them, walked from the right, so a client outside them cannot spoof its address.
 * Requests without a peer (in-process tests) resolve to `unknown`.
 */
export function createClientAddress(trustedProxies: readonly string[]): ClientAddress {
  const resolve = clientIp({ trustedProxies, ipv6Subnet: 128 });
  return (c) => resolve({ header: (name) => c.req.header(name), remoteAddress: peerAddress(c) }) ?? 'unknown';
}
