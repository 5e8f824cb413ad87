import type { LookupAddress, LookupOptions } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { systemTimers, type TimerProvider } from '@bulwark/core';
import { Agent, request } from 'undici';
import { bareHost, createEgressGuard, type EgressOptions, type HostResolver } from './egress-guard.js';
import { DeliveryError, isDeliveryError } from './errors/delivery-error.js';
import type { Transport, TransportRequest, TransportResponse } from './transport.js';

/** Options of {@link createUndiciTransport}. */
export interface UndiciTransportOptions {
  /** SSRF policy: allowlist and `allowHttp`. */
  readonly egress?: EgressOptions | undefined;
  /** Resolves host names before connecting (default `dns.promises.lookup` with `all: true`). */
  readonly resolve?: HostResolver | undefined;
  /** Response bytes kept (and read) per attempt; the rest is discarded. @defaultValue 4096 */
  readonly maxResponseBytes?: number | undefined;
  /** Pooled connections per origin. @defaultValue 16 */
  readonly connectionsPerOrigin?: number | undefined;
  /** Timer source for the per-request timeout. */
  readonly timers?: TimerProvider | undefined;
}

const defaultResolve: HostResolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

async function readCapped(body: AsyncIterable<Uint8Array> & { destroy(): unknown }, max: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(size + chunk.byteLength > max ? chunk.subarray(0, max - size) : chunk);
    size = Math.min(max, size + chunk.byteLength);
    if (size >= max) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The real transport: undici with a pooled `Agent`, a per-request timeout, no redirects
 * followed, a capped response read, and the SSRF guard applied at connect time to every
 * address the host resolves to (so DNS rebinding between check and connect is not possible).
 *
 * @param options - Egress policy, resolver, caps.
 * @example
 * ```ts
 * const transport = createUndiciTransport({ egress: { allow: ['10.0.0.0/8'] } });
 * ```
 */
export function createUndiciTransport(options: UndiciTransportOptions = {}): Transport {
  const guard = createEgressGuard(options.egress);
  const resolve = options.resolve ?? defaultResolve;
  const maxBytes = options.maxResponseBytes ?? 4096;
  const timers = options.timers ?? systemTimers;

  function lookup(hostname: string, lookupOptions: LookupOptions, callback: LookupCallback): void {
    resolve(hostname).then(
      (addresses) => {
        try {
          if (addresses.length === 0)
            throw new DeliveryError('delivery_network_error', { detail: `${hostname} has no address` });
          if (!guard.isAllowedHost(hostname)) guard.checkAddresses(hostname, addresses);
          const usable = addresses.filter((a) => !lookupOptions.family || a.family === lookupOptions.family);
          const list = usable.length ? usable : addresses;
          if (lookupOptions.all)
            callback(
              null,
              list.map((a) => ({ address: a.address, family: a.family })),
            );
          else callback(null, list[0]!.address, list[0]!.family);
        } catch (error) {
          callback(error as Error, '');
        }
      },
      (error: Error) => callback(error, ''),
    );
  }

  const agent = new Agent({
    connections: options.connectionsPerOrigin ?? 16,
    keepAliveTimeout: 10_000,
    connect: { lookup },
  });

  async function send(req: TransportRequest): Promise<TransportResponse> {
    const url = new URL(req.url);
    guard.checkUrl(url);
    if (req.signal?.aborted) throw req.signal.reason;
    const controller = new AbortController();
    // Built only when it fires: an error's stack capture costs more than the rest of a loopback POST.
    const onTimeout = (): void =>
      controller.abort(
        new DeliveryError('delivery_timeout', {
          detail: `No response from ${bareHost(url.hostname)} within ${req.timeoutMs} ms`,
        }),
      );
    const timer = timers.setTimeout(onTimeout, req.timeoutMs, { unref: true });
    const onAbort = (): void => controller.abort(req.signal?.reason);
    req.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await request(url, {
        method: 'POST',
        headers: req.headers,
        body: req.body,
        dispatcher: agent,
        signal: controller.signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const retryAfter = response.headers['retry-after'];
      const body = await readCapped(response.body, maxBytes);
      return { status: response.statusCode, retryAfter: typeof retryAfter === 'string' ? retryAfter : null, body };
    } catch (error) {
      if (controller.signal.aborted) throw controller.signal.reason;
      const cause = (error as { cause?: unknown }).cause;
      if (isDeliveryError(error)) throw error;
      if (isDeliveryError(cause)) throw cause;
      throw new DeliveryError('delivery_network_error', {
        detail: `POST ${url.origin} failed: ${(error as { code?: string }).code ?? (error as Error).message}`,
        cause: error,
      });
    } finally {
      timers.clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
    }
  }

  return Object.freeze({
    mode: 'real' as const,
    send,
    close: () => agent.close(),
  });
}
