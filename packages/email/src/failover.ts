import {
  type CircuitBreaker,
  type CircuitBreakerOptions,
  createCircuitBreaker,
  isBrokenCircuitError,
  type Policy,
} from '@bulwark/breaker';
import type { Clock, TimerProvider } from '@bulwark/core';
import { createRetry, type RetryOptions } from '@bulwark/retry';
import { EmailConfigError } from './errors/email-config-error.js';
import { EmailError, isEmailError } from './errors/email-error.js';
import type { EmailMessage } from './message.js';
import type { BatchItemResult, EmailProvider, SendOptions, SendResult } from './provider.js';

/** One provider in a failover chain, with optional ready-made policies. */
export interface FailoverEntry {
  /** The provider. */
  readonly provider: EmailProvider;
  /** A breaker (or any `@bulwark/breaker` Policy) for this provider. Default: one made from `breaker` options. */
  readonly breaker?: Policy | undefined;
  /** A retry policy for this provider. Default: one made from `retry` options. */
  readonly retry?: Policy | undefined;
}

/** Fired when a send moves on to the next provider. */
export interface FailoverEvent {
  /** The provider that failed. */
  readonly from: string;
  /** The provider tried next. */
  readonly to: string;
  /** Why it failed. */
  readonly error: unknown;
}

/** Options of {@link createFailoverProvider}. */
export interface FailoverOptions {
  /** Providers in order of preference. */
  providers: ReadonlyArray<EmailProvider | FailoverEntry>;
  /** Options for the breakers made for entries without one. Default: `@bulwark/breaker` defaults. */
  breaker?: Omit<CircuitBreakerOptions, 'name' | 'clock' | 'timers'> | undefined;
  /** Options for the retries made for entries without one. Default `{ retries: 2 }`. */
  retry?: Omit<RetryOptions, 'signal' | 'clock' | 'timers'> | undefined;
  /** Clock for the made breakers and retries. */
  clock?: Clock | undefined;
  /** Timers for the made breakers and retries. */
  timers?: TimerProvider | undefined;
  /** Called on each hand-over. */
  onFailover?: ((event: FailoverEvent) => void) | undefined;
  /** Name on results of `sendBatch` errors. Default `failover`. */
  name?: string | undefined;
}

/** A failover chain: an {@link EmailProvider} plus the breakers it made. */
export interface FailoverProvider extends EmailProvider {
  /** The breakers created for entries that came without one, by provider name. */
  readonly breakers: Readonly<Record<string, CircuitBreaker>>;
}

/** Counts provider trouble as breaker failures, not the caller's bad input. */
function isProviderFailure(error: unknown): boolean {
  return !isEmailError(error) || error.retryable || error.code === 'email_timeout';
}

/**
 * Whether a failed send may be handed to the next provider: retryable codes and open
 * circuits, never a possibly-sent timeout without an idempotency key.
 *
 * @param error - What the provider (or its breaker) threw.
 * @param message - The message being sent.
 * @example
 * ```ts
 * canFailOver(timeoutError, { ...message, idempotencyKey: undefined }); // false
 * ```
 */
export function canFailOver(error: unknown, message: Pick<EmailMessage, 'idempotencyKey'>): boolean {
  if (isBrokenCircuitError(error)) return true;
  if (!isEmailError(error) || !error.retryable) return false;
  return !(error.maybeSent && message.idempotencyKey === undefined);
}

/** A possibly-sent timeout without a key must not be retried either: mark it final. */
function finalIfMaybeSent(error: unknown, message: EmailMessage): unknown {
  if (!isEmailError(error) || !error.maybeSent || message.idempotencyKey !== undefined || !error.retryable) {
    return error;
  }
  return new EmailError({
    code: error.code,
    provider: error.provider,
    detail: error.detail,
    providerStatus: error.providerStatus,
    providerCode: error.providerCode,
    requestId: error.requestId,
    maybeSent: true,
    retryable: false,
    cause: error,
  });
}

/**
 * Sends through an ordered list of providers, each behind a circuit breaker
 * (`@bulwark/breaker`) and a retry (`@bulwark/retry`). A send moves to the next provider only
 * on retryable codes or an open circuit — never after a possibly-sent timeout without an
 * `idempotencyKey` (that error is final and is not retried either). Throws the last error.
 *
 * @param options - Providers, policy options, clock/timers and a hand-over hook.
 * @throws {email_config_invalid} when `providers` is empty.
 * @example
 * ```ts
 * const email = createFailoverProvider({ providers: [resend, postmark], retry: { retries: 1 } });
 * await email.send(message);
 * ```
 */
export function createFailoverProvider(options: FailoverOptions): FailoverProvider {
  if (options.providers.length === 0) {
    throw new EmailConfigError('providers', 'Expected `providers` to list at least one provider');
  }
  const shared = {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.timers ? { timers: options.timers } : {}),
  };
  const breakers: Record<string, CircuitBreaker> = {};
  const chain = options.providers.map((item) => {
    const entry: FailoverEntry = 'send' in item ? { provider: item } : item;
    let breaker = entry.breaker;
    if (!breaker) {
      const made = createCircuitBreaker({
        isFailure: isProviderFailure,
        ...options.breaker,
        ...shared,
        name: `email:${entry.provider.name}`,
      });
      breakers[entry.provider.name] = made;
      breaker = made;
    }
    const retry = entry.retry ?? createRetry({ retries: 2, ...options.retry, ...shared });
    return { provider: entry.provider, breaker, retry };
  });
  const name = options.name ?? 'failover';

  async function send(message: EmailMessage, sendOptions: SendOptions = {}): Promise<SendResult> {
    const { signal } = sendOptions;
    let lastError: unknown;
    for (const [i, link] of chain.entries()) {
      try {
        return await link.breaker.execute(
          (breakerSignal) =>
            link.retry.execute(
              async (attemptSignal) => {
                try {
                  return await link.provider.send(message, { signal: attemptSignal });
                } catch (error) {
                  throw finalIfMaybeSent(error, message);
                }
              },
              { signal: breakerSignal },
            ),
          { signal },
        );
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        lastError = error;
        const next = chain[i + 1];
        if (!next || !canFailOver(error, message)) throw error;
        options.onFailover?.({ from: link.provider.name, to: next.provider.name, error });
      }
    }
    /* c8 ignore next */
    throw lastError;
  }

  async function sendBatch(
    messages: readonly EmailMessage[],
    sendOptions: SendOptions = {},
  ): Promise<BatchItemResult[]> {
    const results: BatchItemResult[] = [];
    for (const [index, message] of messages.entries()) {
      try {
        results.push({ index, ok: true, result: await send(message, sendOptions) });
      } catch (error) {
        if (sendOptions.signal?.aborted) throw error;
        const emailError = isEmailError(error)
          ? error
          : new EmailError({ code: 'email_provider_unavailable', provider: name, detail: String(error), cause: error });
        results.push({ index, ok: false, error: emailError });
      }
    }
    return results;
  }

  return Object.freeze({ name, batchLimit: 1, breakers: Object.freeze(breakers), send, sendBatch });
}
