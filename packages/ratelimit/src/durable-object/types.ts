/**
 * The part of a Durable Object's storage (`state.storage`) that {@link RateLimitDurableObject}
 * uses. Structural, so the package needs no `@cloudflare/workers-types` at runtime.
 */
export interface DurableObjectStorageLike {
  get(key: string): Promise<unknown>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<boolean>;
  list(): Promise<Map<string, unknown>>;
  setAlarm(scheduledTime: number): Promise<void>;
}

/** The part of a Durable Object's `state` (`DurableObjectState`) that {@link RateLimitDurableObject} uses. */
export interface DurableObjectStateLike {
  readonly storage: DurableObjectStorageLike;
}

/** A Durable Object stub: what `namespace.get(id)` returns. Only `fetch` is used. */
export interface DurableObjectStubLike {
  fetch(input: string, init: { method: string; body: string; headers: Record<string, string> }): Promise<Response>;
}

/** A Durable Object namespace binding (`env.RATE_LIMITER`), structurally. */
export interface DurableObjectNamespaceLike<Id = unknown> {
  idFromName(name: string): Id;
  get(id: Id): DurableObjectStubLike;
}
