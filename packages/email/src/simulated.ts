import { type Clock, systemClock } from '@bulwark/core';
import type { EmailErrorCode } from './errors/codes.js';
import { EmailError, type EmailErrorInit, isEmailError } from './errors/email-error.js';
import { type EmailMessage, type NormalizedEmailMessage, parseEmailMessage } from './message.js';
import type { BatchItemResult, EmailProvider, SendOptions, SendResult } from './provider.js';

/** A failure the simulated provider was told to produce. */
export type SimulatedFailure = EmailErrorCode | Omit<EmailErrorInit, 'provider'>;

/** Options of {@link createSimulatedProvider}. */
export interface SimulatedProviderOptions {
  /** Clock for `acceptedAt`. Default: the system clock. */
  clock?: Clock | undefined;
  /** Provider name on results and errors. Default `simulated`. */
  name?: string | undefined;
  /** Fails every send whose message this returns a failure for. */
  failWhen?: ((message: NormalizedEmailMessage) => SimulatedFailure | undefined) | undefined;
}

/** One message the simulated provider accepted. */
export interface SimulatedMessage {
  /** The id returned by `send()` (`sim-1`, `sim-2`, …). */
  readonly messageId: string;
  /** When it was accepted, from the clock. */
  readonly acceptedAt: Date;
  /** The validated message. */
  readonly message: NormalizedEmailMessage;
}

/** The simulated provider: an {@link EmailProvider} that records instead of sending. */
export interface SimulatedProvider extends EmailProvider {
  /** Messages accepted so far, in order. */
  readonly messages: readonly SimulatedMessage[];
  /** Makes the next `count` sends fail with `failure` (default 1). */
  failNext(failure: SimulatedFailure, count?: number): void;
  /** Forgets recorded messages and queued failures. */
  reset(): void;
}

function toError(failure: SimulatedFailure, provider: string): EmailError {
  const init = typeof failure === 'string' ? { code: failure } : failure;
  return new EmailError({
    detail: `Simulated ${init.code}`,
    ...(init.code === 'email_timeout' ? { maybeSent: true } : {}),
    ...init,
    provider,
  });
}

/**
 * An in-memory provider for tests and local runs: validates each message like a real
 * adapter, records it, and can be told to fail with any taxonomy code.
 *
 * @param options - Clock, name and a failure predicate.
 * @example
 * ```ts
 * const email = createSimulatedProvider();
 * email.failNext('email_rate_limited');
 * await expect(email.send(message)).rejects.toMatchObject({ code: 'email_rate_limited' });
 * ```
 */
export function createSimulatedProvider(options: SimulatedProviderOptions = {}): SimulatedProvider {
  const clock = options.clock ?? systemClock;
  const name = options.name ?? 'simulated';
  const messages: SimulatedMessage[] = [];
  const queued: SimulatedFailure[] = [];
  let counter = 0;

  async function send(message: EmailMessage, sendOptions: SendOptions = {}): Promise<SendResult> {
    sendOptions.signal?.throwIfAborted();
    const normalized = parseEmailMessage(message, name);
    const failure = queued.shift() ?? options.failWhen?.(normalized);
    if (failure !== undefined) throw toError(failure, name);
    counter += 1;
    const record = Object.freeze({
      messageId: `sim-${counter}`,
      acceptedAt: new Date(clock.now()),
      message: normalized,
    });
    messages.push(record);
    return Object.freeze({ provider: name, messageId: record.messageId, acceptedAt: record.acceptedAt });
  }

  async function sendBatch(batch: readonly EmailMessage[], sendOptions: SendOptions = {}): Promise<BatchItemResult[]> {
    const results: BatchItemResult[] = [];
    for (const [index, message] of batch.entries()) {
      try {
        results.push({ index, ok: true, result: await send(message, sendOptions) });
      } catch (error) {
        if (!isEmailError(error)) throw error;
        results.push({ index, ok: false, error });
      }
    }
    return results;
  }

  const provider: Omit<SimulatedProvider, 'messages'> = {
    name,
    batchLimit: 1000,
    send,
    sendBatch,
    failNext(failure, count = 1) {
      for (let i = 0; i < count; i++) queued.push(failure);
    },
    reset() {
      messages.length = 0;
      queued.length = 0;
    },
  };
  // Not a getter in the literal: V8 builds such a literal in dictionary mode, where each
  // `provider.send` is a hash lookup the optimizer cannot inline.
  Object.defineProperty(provider, 'messages', { get: () => messages, enumerable: true, configurable: true });
  return provider as SimulatedProvider;
}
