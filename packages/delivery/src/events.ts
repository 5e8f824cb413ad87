import type { DisabledReason } from './store.js';

/** Emitted when an endpoint is disabled by the dispatcher (410 Gone or failing too long). */
export interface EndpointDisabledEvent {
  readonly endpointId: string;
  readonly reason: DisabledReason;
  readonly at: number;
}

/** Emitted when a delivery is moved to the dead-letter queue. */
export interface DeadLetterEvent {
  readonly deliveryId: string;
  readonly messageId: string;
  readonly endpointId: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly at: number;
}

/** Emitted after each completed attempt. */
export interface AttemptEvent {
  readonly deliveryId: string;
  readonly messageId: string;
  readonly endpointId: string;
  readonly statusCode: number | null;
  readonly errorCode: string | null;
  readonly latencyMs: number;
  /** `true` when nothing was sent: the transport is simulated (`WEBHOOK_REAL` off). */
  readonly simulated: boolean;
  readonly outcome: 'succeeded' | 'retry' | 'dead';
}

/** Dispatcher events and their payloads. */
export interface DispatcherEvents {
  endpointDisabled: EndpointDisabledEvent;
  deadLetter: DeadLetterEvent;
  attempt: AttemptEvent;
  /** A store or worker failure the loop survived (it retries after `pollIntervalMs`). */
  error: unknown;
}

/** A minimal typed emitter; listeners get frozen payloads, and a throwing listener is isolated. */
export class Emitter<E> {
  readonly #listeners = new Map<keyof E, Set<(payload: never) => void>>();

  on<K extends keyof E>(name: K, listener: (payload: E[K]) => void): () => void {
    const set = this.#listeners.get(name) ?? new Set<(payload: never) => void>();
    this.#listeners.set(name, set);
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  emit<K extends keyof E>(name: K, payload: E[K]): void {
    const frozen = typeof payload === 'object' && payload !== null ? Object.freeze(payload) : payload;
    for (const listener of this.#listeners.get(name) ?? []) {
      try {
        (listener as (p: unknown) => void)(frozen);
      } catch {
        // A listener must not break delivery.
      }
    }
  }
}
