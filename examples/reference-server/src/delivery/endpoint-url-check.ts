import { lookup } from 'node:dns/promises';
import { createEgressGuard, deliveryErrors, type EgressGuard, type HostResolver } from '@bulwark/delivery';
import type { Config } from '../config.js';

/** Checks an endpoint URL when it is registered; the dispatcher checks again at connect time. */
export type EndpointUrlCheck = (url: string) => Promise<void>;

const systemResolver: HostResolver = (hostname) => lookup(hostname, { all: true });

/**
 * The registration-time egress check: `https` unless `WEBHOOK_ALLOW_HTTP`, no literal private,
 * loopback, link-local or metadata address, and the host's current DNS answers all public
 * (unless allowlisted by `WEBHOOK_EGRESS_ALLOW`) when egress is real. A host that does not resolve is refused too.
 * DNS can change after registration (rebinding), which is why delivery checks again at connect.
 */
export function createEndpointUrlCheck(config: Config, resolve: HostResolver = systemResolver): EndpointUrlCheck {
  const checkDns = config.WEBHOOK_REAL;
  const guard: EgressGuard = createEgressGuard({
    allow: (config.WEBHOOK_EGRESS_ALLOW ?? '').split(/[\s,]+/).filter(Boolean),
    allowHttp: config.WEBHOOK_ALLOW_HTTP,
  });
  return async (text) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw deliveryErrors.err('delivery_invalid_endpoint', { detail: '`url` must be an absolute URL' });
    }
    guard.checkUrl(url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // Simulated egress never connects; with real egress the host's current answers must be public too.
    if (!checkDns || guard.isAllowedHost(host) || /^[0-9.]+$|:/.test(host)) return;
    const addresses = await resolve(host).catch(() => {
      throw deliveryErrors.err('delivery_invalid_endpoint', { detail: `The host ${host} does not resolve` });
    });
    guard.checkAddresses(host, addresses);
  };
}
