/**
 * Compares two byte arrays in time that depends only on the length of the longer one: every
 * index up to the longer length is visited and differences (including the length difference)
 * are accumulated, so a short or truncated input does not return early.
 *
 * @param a - First byte array.
 * @param b - Second byte array.
 * @returns Whether `a` and `b` hold the same bytes.
 * @example
 * ```ts
 * constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])); // true
 * ```
 */
export function constantTimeEqual(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const length = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < length; i++) {
    // Out-of-range reads yield undefined; `| 0` folds them to 0 without branching on length.
    diff |= ((a[i] as number) | 0) ^ ((b[i] as number) | 0);
  }
  return diff === 0;
}

/**
 * {@link constantTimeEqual} for strings of char codes (encoded MACs).
 * @internal
 */
export function constantTimeEqualString(a: string, b: string): boolean {
  const length = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < length; i++) {
    // charCodeAt past the end is NaN; `| 0` folds it to 0.
    diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  }
  return diff === 0;
}
