import type { BreakerMetricName, RegistrySnapshot } from '@bulwark/breaker';
import { DeliveryError, type DeliveryErrorCode, deliveryErrors, isDeliveryError } from '@bulwark/delivery';
import type { Config } from '../config.js';

/** The dispatcher calls the server makes across the thread boundary (`dlq.list` is `dispatcher.dlq.list`). */
export const THREAD_METHODS = [
  'publish',
  'redeliver',
  'inspect',
  'stats',
  'prune',
  'idle',
  'dlq.stats',
  'dlq.list',
  'dlq.requeue',
  'endpoints.create',
  'endpoints.update',
  'endpoints.get',
  'endpoints.list',
  'endpoints.delete',
  'endpoints.enable',
  'endpoints.disable',
  'endpoints.rotateSecret',
] as const;

/** One of {@link THREAD_METHODS}. */
export type ThreadMethod = (typeof THREAD_METHODS)[number];

/** What the delivery thread starts with (`workerData`). Key material never leaves memory. */
export interface ThreadData {
  readonly config: Config;
  /** The data key ring, current key first (to open and seal endpoint secrets). */
  readonly keys: ReadonlyArray<{ readonly id: string; readonly key: Uint8Array }>;
}

/** Server → thread. Calls are sent in batches, one message per event-loop turn. */
export type ToThread =
  | {
      readonly type: 'calls';
      readonly calls: ReadonlyArray<{ readonly id: number; readonly method: ThreadMethod; readonly args: unknown[] }>;
    }
  | { readonly type: 'start' }
  | { readonly type: 'close'; readonly deadlineMs: number };

/** An error as it crosses the boundary: a delivery error keeps its code and detail, anything else its message. */
export interface SerializedError {
  readonly code?: DeliveryErrorCode;
  readonly detail?: string;
  readonly message: string;
}

/** Thread → server, batched per turn of the thread's event loop. */
export type Notice =
  | { readonly kind: 'ready' }
  | { readonly kind: 'reply'; readonly id: number; readonly value?: unknown; readonly error?: SerializedError }
  | { readonly kind: 'event'; readonly name: 'attempt' | 'deadLetter' | 'endpointDisabled'; readonly payload: unknown }
  | { readonly kind: 'error'; readonly error: SerializedError }
  | {
      readonly kind: 'metric';
      readonly op: 'increment' | 'observe' | 'gauge';
      readonly name: string;
      readonly value: number;
      readonly labels: Readonly<Record<string, string>> | undefined;
    }
  | { readonly kind: 'breaker'; readonly name: BreakerMetricName; readonly breaker: string }
  | { readonly kind: 'breakers'; readonly snapshot: RegistrySnapshot }
  | { readonly kind: 'closed' };

/** Thread → server message. */
export interface FromThread {
  readonly type: 'notices';
  readonly notices: readonly Notice[];
}

/** Serializes a thrown value for the other side (never a stack; messages name no secret). */
export function serializeError(error: unknown): SerializedError {
  if (isDeliveryError(error)) {
    return {
      code: error.code,
      message: error.message,
      ...(error.detail === undefined ? {} : { detail: error.detail }),
    };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

/** The error the server's routes see: the same delivery error code (and so the same status), or a plain Error. */
export function reviveError(error: SerializedError): Error {
  if (error.code !== undefined && deliveryErrors.has(error.code)) {
    return new DeliveryError(error.code, error.detail === undefined ? {} : { detail: error.detail });
  }
  return new Error(error.message);
}
