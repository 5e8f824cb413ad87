/** Constraints checked by {@link assertNumberOption}. */
export interface NumberConstraints {
  /** Smallest accepted value (inclusive unless `minExclusive`). */
  min?: number;
  /** Treat `min` as exclusive. */
  minExclusive?: boolean;
  /** Largest accepted value (inclusive). */
  max?: number;
  /** Require an integer. */
  integer?: boolean;
}

function describeRange(c: NumberConstraints): string {
  const lower = c.min === undefined ? '(-∞' : `${c.minExclusive ? '(' : '['}${c.min}`;
  const upper = c.max === undefined ? '∞)' : `${c.max}]`;
  return `${c.integer ? 'an integer' : 'a number'} in ${lower}, ${upper}`;
}

/**
 * Validates a numeric option once, at construction time, with a message naming the option:
 * ``Expected `failureRateThreshold` to be a number in (0, 100], got 0``.
 *
 * @param name - The option name as the user wrote it.
 * @param value - The value to check.
 * @param constraints - Range and integrality.
 * @throws {TypeError} when the value is not a finite number.
 * @throws {RangeError} when it is outside the range or not an integer as required.
 * @example
 * ```ts
 * assertNumberOption('limit', options.limit, { min: 1, integer: true });
 * ```
 */
export function assertNumberOption(
  name: string,
  value: unknown,
  constraints: NumberConstraints = {},
): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`Expected \`${name}\` to be ${describeRange(constraints)}, got ${String(value)}`);
  }
  const { min, max, minExclusive, integer } = constraints;
  const tooLow = min !== undefined && (minExclusive ? value <= min : value < min);
  const tooHigh = max !== undefined && value > max;
  if (tooLow || tooHigh || (integer && !Number.isInteger(value))) {
    throw new RangeError(`Expected \`${name}\` to be ${describeRange(constraints)}, got ${value}`);
  }
}
