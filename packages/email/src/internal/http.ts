import type { Clock, TimerProvider } from '@bulwark/core';
import { EmailError } from '../errors/email-error.js';

/** The fetch signature adapters take. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A provider's answer, read fully. @internal */
export interface ProviderResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON when it is JSON, else `undefined`. */
  readonly json: unknown;
}

/** @internal */
export interface CallOptions {
  readonly provider: string;
  readonly fetch: FetchLike;
  readonly timers: TimerProvider;
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Sends one request with a timeout. A timeout becomes `email_timeout` (maybeSent), a
 * network failure `email_provider_unavailable`; a caller abort rejects with its reason. @internal
 */
export async function callProvider(request: Request, options: CallOptions): Promise<ProviderResponse> {
  const { signal } = options;
  signal?.throwIfAborted();
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = options.timers.setTimeout(
    () => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    },
    options.timeoutMs,
    { unref: true },
  );
  try {
    const response = await options.fetch(request, { signal: controller.signal });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: parseJson(text, response.headers) };
  } catch (error) {
    if (timedOut) {
      throw new EmailError({
        code: 'email_timeout',
        provider: options.provider,
        detail: `No answer from ${options.provider} within ${options.timeoutMs} ms; the message may have been sent`,
        maybeSent: true,
        cause: error,
      });
    }
    if (signal?.aborted) throw signal.reason;
    throw new EmailError({
      code: 'email_provider_unavailable',
      provider: options.provider,
      detail: `Could not reach ${options.provider}`,
      cause: error,
    });
  } finally {
    options.timers.clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

function parseJson(text: string, headers: Headers): unknown {
  const type = headers.get('content-type') ?? '';
  if (!type.includes('json') && !/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Reads a string field of an unknown JSON object. @internal */
export function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** Reads a string field, or `undefined`. @internal */
export function stringField(value: unknown, key: string): string | undefined {
  const v = field(value, key);
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}
