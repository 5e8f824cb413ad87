import { assertNumberOption, type Clock, systemClock, systemTimers, type TimerProvider } from '@bulwark/core';
import { EmailError, isEmailError } from '../errors/email-error.js';
import { type EmailMessage, type NormalizedEmailMessage, parseEmailMessage } from '../message.js';
import type { BatchItemResult, EmailProvider, SendOptions, SendResult } from '../provider.js';
import { type CallOptions, callProvider, type FetchLike, type ProviderResponse } from './http.js';
import { assertWithinLimits, type ProviderLimits } from './limits.js';
import { mapConcurrent } from './map-concurrent.js';

/** Options every HTTP adapter takes. */
export interface HttpAdapterOptions {
  /** The fetch to call; default `globalThis.fetch`, looked up on each call. */
  fetch?: FetchLike | undefined;
  /** Clock for `acceptedAt` and reset headers. Default: the system clock. */
  clock?: Clock | undefined;
  /** Timers for the request timeout. Default: the global timers. */
  timers?: TimerProvider | undefined;
  /** Per-request timeout in ms. Default 30 000. */
  timeoutMs?: number | undefined;
  /** Overrides the API base URL (regional endpoints, proxies). */
  baseUrl?: string | undefined;
  /**
   * Most requests `sendBatch` keeps in flight at once (single sends for providers without a
   * batch API, batch calls otherwise). Default 4 (Resend: 1, for its 2 requests/s limit).
   * Provider rate limits still apply: items refused with `email_rate_limited` are reported per item.
   */
  batchConcurrency?: number | undefined;
}

/** What one provider contributes to {@link createHttpProvider}. @internal */
export interface AdapterSpec {
  readonly name: string;
  readonly batchLimit: number;
  readonly limits: ProviderLimits;
  /** `batchConcurrency` when the caller sets none (default 4). */
  readonly defaultBatchConcurrency?: number;
  /** Builds the HTTP request for one message (may sign it). */
  buildRequest(message: NormalizedEmailMessage): Request | Promise<Request>;
  /** Reads the message id of a 2xx answer; throws EmailError when the answer is unusable. */
  readMessageId(response: ProviderResponse): string;
  /** Maps a non-2xx answer to an EmailError. */
  mapError(response: ProviderResponse, nowMs: number): EmailError;
  /** Whether a message may go through the batch API (default: all). */
  canBatch?(message: NormalizedEmailMessage): boolean;
  /** Sends one provider batch (≤ batchLimit messages), when the provider has a batch API. */
  sendChunk?(
    messages: readonly NormalizedEmailMessage[],
    call: (request: Request) => Promise<ProviderResponse>,
  ): Promise<Array<{ ok: true; messageId: string } | { ok: false; error: EmailError }>>;
}

/** Resolved common options. @internal */
export interface ResolvedHttpOptions {
  readonly fetch: FetchLike;
  readonly clock: Clock;
  readonly timers: TimerProvider;
  readonly timeoutMs: number;
  /** As given; the spec's default applies when undefined. */
  readonly batchConcurrency: number | undefined;
}

/** Validates the common options once. @internal */
export function resolveHttpOptions(options: HttpAdapterOptions): ResolvedHttpOptions {
  const timeoutMs = options.timeoutMs ?? 30_000;
  assertNumberOption('timeoutMs', timeoutMs, { min: 0, minExclusive: true });
  if (options.batchConcurrency !== undefined) {
    assertNumberOption('batchConcurrency', options.batchConcurrency, { min: 1, integer: true });
  }
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  return Object.freeze({
    fetch: fetchFn,
    clock: options.clock ?? systemClock,
    timers: options.timers ?? systemTimers,
    timeoutMs,
    batchConcurrency: options.batchConcurrency,
  });
}

/** Builds an {@link EmailProvider} from a provider spec. @internal */
export function createHttpProvider(spec: AdapterSpec, options: ResolvedHttpOptions): EmailProvider {
  const concurrency = options.batchConcurrency ?? spec.defaultBatchConcurrency ?? 4;
  const call = (request: Request, signal: AbortSignal | undefined): Promise<ProviderResponse> => {
    const callOptions: CallOptions = { provider: spec.name, ...options, signal };
    return callProvider(request, callOptions);
  };
  const accepted = (messageId: string): SendResult =>
    Object.freeze({ provider: spec.name, messageId, acceptedAt: new Date(options.clock.now()) });
  const prepare = (message: EmailMessage): NormalizedEmailMessage => {
    const normalized = parseEmailMessage(message, spec.name);
    assertWithinLimits(normalized, spec.limits, spec.name);
    return normalized;
  };

  async function send(message: EmailMessage, sendOptions: SendOptions = {}): Promise<SendResult> {
    const normalized = prepare(message);
    const response = await call(await spec.buildRequest(normalized), sendOptions.signal);
    if (response.status < 200 || response.status >= 300) throw spec.mapError(response, options.clock.now());
    return accepted(spec.readMessageId(response));
  }

  async function sendBatch(
    messages: readonly EmailMessage[],
    sendOptions: SendOptions = {},
  ): Promise<BatchItemResult[]> {
    const results: BatchItemResult[] = new Array(messages.length);
    const batchable: Array<{ index: number; message: NormalizedEmailMessage }> = [];
    const single: Array<{ index: number; message: NormalizedEmailMessage }> = [];
    messages.forEach((message, index) => {
      try {
        const normalized = prepare(message);
        (spec.canBatch?.(normalized) === false ? single : batchable).push({ index, message: normalized });
      } catch (error) {
        results[index] = { index, ok: false, error: error as EmailError };
      }
    });
    const chunks: Array<Array<{ index: number; message: NormalizedEmailMessage }>> = single.map((item) => [item]);
    for (let start = 0; start < batchable.length; start += spec.batchLimit) {
      chunks.push(batchable.slice(start, start + spec.batchLimit));
    }
    chunks.sort((a, b) => (a[0]?.index ?? 0) - (b[0]?.index ?? 0));
    await mapConcurrent(chunks, concurrency, async (chunk) => {
      const outcomes = await sendChunk(
        chunk.map((c) => c.message),
        sendOptions.signal,
      );
      chunk.forEach(({ index }, i) => {
        const outcome = outcomes[i] as (typeof outcomes)[number];
        results[index] = outcome.ok
          ? { index, ok: true, result: accepted(outcome.messageId) }
          : { index, ok: false, error: outcome.error };
      });
    });
    return results;
  }

  async function sendChunk(
    chunk: NormalizedEmailMessage[],
    signal: AbortSignal | undefined,
  ): Promise<Array<{ ok: true; messageId: string } | { ok: false; error: EmailError }>> {
    try {
      if (spec.sendChunk && chunk.length > 1) return await spec.sendChunk(chunk, (request) => call(request, signal));
      const out: Array<{ ok: true; messageId: string } | { ok: false; error: EmailError }> = [];
      for (const message of chunk) {
        try {
          const response = await call(await spec.buildRequest(message), signal);
          if (response.status < 200 || response.status >= 300) {
            out.push({ ok: false, error: spec.mapError(response, options.clock.now()) });
          } else out.push({ ok: true, messageId: spec.readMessageId(response) });
        } catch (error) {
          if (!isEmailError(error)) throw error;
          out.push({ ok: false, error });
        }
      }
      return out;
    } catch (error) {
      if (!isEmailError(error)) throw error;
      return chunk.map(() => ({ ok: false as const, error }));
    }
  }

  return Object.freeze({
    name: spec.name,
    batchLimit: spec.batchLimit,
    batchConcurrency: concurrency,
    send,
    sendBatch,
  });
}

/** An EmailError for a 2xx answer that lacks the expected fields. @internal */
export function unexpectedAnswer(provider: string, response: ProviderResponse): EmailError {
  return new EmailError({
    code: 'email_unknown',
    provider,
    providerStatus: response.status,
    detail: `${provider} answered ${response.status} without a message id`,
  });
}
