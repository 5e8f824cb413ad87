/** A value now, or later. The node:crypto fast path stays synchronous end to end. */
export type MaybePromise<T> = T | Promise<T>;

/** Applies `fn` to `value` without a microtask when `value` is not a promise. */
export function chain<T, R>(value: MaybePromise<T>, fn: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}
