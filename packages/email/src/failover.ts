import { type CircuitBreaker, type CircuitBreakerOptions, createCircuitBreaker, type Policy } from '@bulwark/breaker';
import { assertNumberOption, type Clock, systemClock, type TimerProvider } from '@bulwark/core';
import { createRetry, type RetryContext, type RetryOptions } from '@bulwark/retry';
import { canFailOver } from './can-fail-over.js';
import { EmailConfigError } from './errors/email-config-error.js';
import { EmailError } from './errors/email-error.js';
import { asBatchError, finalIfMaybeSent, isProviderFailure, isQuotaExhausted } from './internal/failover-errors.js';
import { mapConcurrent } from './internal/map-concurrent.js';
import { createCooldowns, handOverAtOnce, original } from './internal/rate-limit-cooldown.js';
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
  /**
   * Options for the retries made for entries without one. Default `{ retries: 2 }`. These
   * retries never retry a spent quota (`quota: true`): such a message goes to the next provider at once.
   */
  retry?: Omit<RetryOptions, 'signal' | 'clock' | 'timers'> | undefined;
  /** Clock for the made breakers and retries. */
  clock?: Clock | undefined;
  /** Timers for the made breakers and retries. */
  timers?: TimerProvider | undefined;
  /** Called on each hand-over. */
  onFailover?: ((event: FailoverEvent) => void) | undefined;
  /** Name on results of `sendBatch` errors. Default `failover`. */
  name?: string | undefined;
  /**
   * Most messages `sendBatch` sends at once, each through the whole chain on its own.
   * Default: the smallest `batchConcurrency` among the providers (4 for most adapters, 16 for SendGrid,
   * 1 with Resend in the chain), or 4 when none sets one.
   */
  batchConcurrency?: number | undefined;
}

/** A failover chain: an {@link EmailProvider} plus the breakers it made. */
export interface FailoverProvider extends EmailProvider {
  /** The breakers created for entries that came without one, by provider name. */
  readonly breakers: Readonly<Record<string, CircuitBreaker>>;
  /** Most messages `sendBatch` sends at once. */
  readonly batchConcurrency: number;
}

/**
 * Sends through an ordered list of providers, each behind a circuit breaker
 * (`@bulwark/breaker`) and a retry (`@bulwark/retry`). A send moves to the next provider only
 * on retryable codes or an open circuit — never after a possibly-sent failure (`maybeSent`: a
 * timeout, Resend's concurrent idempotent request), which is retried on the same provider only
 * with an `idempotencyKey`. A rate limit (`email_rate_limited`) moves to the next provider at
 * once, without retrying the limited one; its `retryAfterMs` is honoured for that provider's own
 * next use (skipped until then; when every provider is waiting, `email_rate_limited` is thrown
 * at once with the shortest wait). Throws the last error.
 * `sendBatch` keeps up to `batchConcurrency` messages in flight, each failing over on its
 * own, and reports them in input order.
 *
 * @param options - Providers, policy options, clock/timers, batch concurrency and a hand-over hook.
 * @throws {email_config_invalid} when `providers` is empty.
 * @throws {RangeError} when `batchConcurrency` is not an integer ≥ 1.
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
  const userShouldRetry = options.retry?.shouldRetry;
  const shouldRetry = (context: RetryContext) =>
    !isQuotaExhausted(context) && (userShouldRetry === undefined || userShouldRetry(context));
  const breakers: Record<string, CircuitBreaker> = {};
  const chain = options.providers.map((item) => {
    const entry: FailoverEntry = 'send' in item ? { provider: item } : item;
    let breaker = entry.breaker;
    if (!breaker) {
      const made = createCircuitBreaker({
        isFailure: (error: unknown) => isProviderFailure(original(error)),
        ...options.breaker,
        ...shared,
        name: `email:${entry.provider.name}`,
      });
      breakers[entry.provider.name] = made;
      breaker = made;
    }
    const retry = entry.retry ?? createRetry({ retries: 2, ...options.retry, shouldRetry, ...shared });
    return { provider: entry.provider, breaker, retry };
  });
  const name = options.name ?? 'failover';
  const batchConcurrency = options.batchConcurrency ?? defaultBatchConcurrency(chain.map((link) => link.provider));
  assertNumberOption('batchConcurrency', batchConcurrency, { min: 1, integer: true });

  const cooldowns = createCooldowns(options.clock ?? systemClock);

  async function send(message: EmailMessage, sendOptions: SendOptions = {}): Promise<SendResult> {
    const { signal } = sendOptions;
    // Providers that asked (Retry-After) not to be called yet are skipped until then.
    const ready = chain.flatMap((link, index) => (cooldowns.remaining(index) > 0 ? [] : [{ link, index }]));
    if (ready.length === 0) throw allCooling();
    let lastError: unknown;
    for (const [position, { link, index }] of ready.entries()) {
      const next = ready[position + 1]?.link;
      try {
        return await link.breaker.execute(
          (breakerSignal) =>
            link.retry.execute(
              async (attemptSignal) => {
                try {
                  return await link.provider.send(message, { signal: attemptSignal });
                } catch (error) {
                  cooldowns.note(index, error);
                  const final = finalIfMaybeSent(error, message);
                  // With a provider left to take it, a rate limit moves on at once: no retry waits it out.
                  throw next ? handOverAtOnce(final) : final;
                }
              },
              { signal: breakerSignal },
            ),
          { signal },
        );
      } catch (thrown) {
        if (signal?.aborted) throw signal.reason;
        const error = original(thrown);
        lastError = error;
        if (!next || !canFailOver(error, message)) throw error;
        options.onFailover?.({ from: link.provider.name, to: next.provider.name, error });
      }
    }
    /* c8 ignore next */
    throw lastError;
  }

  /** Every provider is inside the wait its last rate limit asked for: fail now, saying how long. */
  function allCooling(): EmailError {
    const waits = chain.map((_, index) => cooldowns.remaining(index));
    const soonest = waits.indexOf(Math.min(...waits));
    const provider = chain[soonest]?.provider.name ?? name;
    return new EmailError({
      code: 'email_rate_limited',
      provider,
      detail: `Every provider is rate limited; ${provider} asked to wait another ${waits[soonest]} ms`,
      retryAfterMs: waits[soonest],
    });
  }

  async function sendBatch(
    messages: readonly EmailMessage[],
    sendOptions: SendOptions = {},
  ): Promise<BatchItemResult[]> {
    const { signal } = sendOptions;
    return mapConcurrent(messages, batchConcurrency, async (message, index): Promise<BatchItemResult> => {
      signal?.throwIfAborted();
      try {
        return { index, ok: true, result: await send(message, sendOptions) };
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        return { index, ok: false, error: asBatchError(error, name) };
      }
    });
  }

  return Object.freeze({
    name,
    batchLimit: 1,
    batchConcurrency,
    breakers: Object.freeze(breakers),
    send,
    sendBatch,
  });
}

/** The smallest concurrency any provider in the chain asks for, so none is sent more than it takes. */
function defaultBatchConcurrency(providers: readonly EmailProvider[]): number {
  const bounds = providers.flatMap((provider) =>
    provider.batchConcurrency === undefined ? [] : [provider.batchConcurrency],
  );
  return bounds.length ? Math.min(...bounds) : 4;
}
