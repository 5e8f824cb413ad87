/** A value now, or later. The node:crypto fast path stays synchronous end to end. */
export type MaybePromise<T> = T | Promise<T>;
