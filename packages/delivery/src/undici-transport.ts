import type { LookupAddress, LookupOptions } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { EventEmitter } from 'node:events';
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

interface ResponseBody extends AsyncIterable<Uint8Array> {
  destroy(): unknown;
  text(): Promise<string>;
}

/**
 * Reads at most `max` bytes of the body. A body known to fit the cap (a 204 has none; a
 * `content-length` within the cap is enforced by undici, which fails the request if fewer or
 * more bytes arrive) is read whole with `text()`, skipping the async iterator that a typical
 * small or empty webhook answer would otherwise pay for.
 */
async function readCapped(body: ResponseBody, max: number, status: number, contentLength: unknown): Promise<string> {
  if (status === 204 || Number(contentLength) <= max) return body.text();
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
 * Ends one request early: undici accepts an EventEmitter as `signal` and aborts the request (or
 * destroys its response body) with `reason` when it emits 'abort'. Only the first call counts.
 */
class RequestStop extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
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

  // Endpoint URLs that passed the scheme and literal-address checks, parsed once (the checks
  // depend on the string alone; resolved addresses are still checked at every connect). Bounded:
  // a burst of distinct URLs only clears it.
  const checkedUrls = new Map<string, URL>();
  function checkedUrl(text: string): URL {
    const hit = checkedUrls.get(text);
    if (hit) return hit;
    const url = new URL(text);
    guard.checkUrl(url);
    if (checkedUrls.size >= 1024) checkedUrls.clear();
    checkedUrls.set(text, url);
    return url;
  }

  async function send(req: TransportRequest): Promise<TransportResponse> {
    const url = checkedUrl(req.url);
    const caller = req.signal;
    if (caller?.aborted) throw caller.reason;
    // What ends the request early (the timeout or the caller's abort), as undici's documented
    // EventEmitter form of `signal`: it reads `reason` when 'abort' is emitted. An AbortController
    // per request cost ~4 µs and ~2 kB (the most expensive object of a loopback POST after the
    // socket write); an EventEmitter ~0.2 µs.
    const stop = new RequestStop();
    // Built only when it fires: an error's stack capture costs more than the rest of a loopback POST.
    const onTimeout = (): void =>
      stop.abort(
        new DeliveryError('delivery_timeout', {
          detail: `No response from ${bareHost(url.hostname)} within ${req.timeoutMs} ms`,
        }),
      );
    const timer = timers.setTimeout(onTimeout, req.timeoutMs, { unref: true });
    const onAbort = (): void => stop.abort((caller as AbortSignal).reason);
    caller?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await request(url, {
        method: 'POST',
        headers: req.headers,
        body: req.body,
        dispatcher: agent,
        signal: stop,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const retryAfter = response.headers['retry-after'];
      const body = await readCapped(response.body, maxBytes, response.statusCode, response.headers['content-length']);
      return { status: response.statusCode, retryAfter: typeof retryAfter === 'string' ? retryAfter : null, body };
    } catch (error) {
      if (stop.aborted) throw stop.reason;
      const cause = (error as { cause?: unknown }).cause;
      if (isDeliveryError(error)) throw error;
      if (isDeliveryError(cause)) throw cause;
      throw new DeliveryError('delivery_network_error', {
        detail: `POST ${url.origin} failed: ${(error as { code?: string }).code ?? (error as Error).message}`,
        cause: error,
      });
    } finally {
      timers.clearTimeout(timer);
      caller?.removeEventListener('abort', onAbort);
    }
  }

  return Object.freeze({
    mode: 'real' as const,
    send,
    close: () => agent.close(),
  });
}
