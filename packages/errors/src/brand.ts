/**
 * Marks `target` as an instance of the error class `name`, with a global (`Symbol.for`)
 * key, so checks work across duplicate installs of a package and across realms where
 * `instanceof` fails. Subclasses call it in their constructor with their own name.
 *
 * @param target - The error instance being constructed.
 * @param name - The class name, e.g. `"WebhookVerificationError"`.
 * @example
 * ```ts
 * class BrokenCircuitError extends BulwarkError {
 *   constructor(init: BulwarkErrorInit) { super(init); brandError(this, 'BrokenCircuitError'); }
 * }
 * ```
 */
export function brandError(target: object, name: string): void {
  Object.defineProperty(target, Symbol.for(`bulwark.error.${name}`), {
    value: true,
    enumerable: false,
    configurable: false,
    writable: false,
  });
}

/**
 * Reports whether `value` was branded as `name` by {@link brandError}.
 *
 * @example
 * ```ts
 * const circuitOpen = hasErrorBrand(error, 'BrokenCircuitError'); // true across copies of the package
 * ```
 */
export function hasErrorBrand(value: unknown, name: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return (value as Record<symbol, unknown>)[Symbol.for(`bulwark.error.${name}`)] === true;
}

/**
 * Builds a type guard for a branded error class.
 *
 * @example
 * <!-- ts-context: declare class BrokenCircuitError extends BulwarkError {} -->
 * ```ts
 * export const isBrokenCircuitError = createErrorGuard<BrokenCircuitError>('BrokenCircuitError');
 * ```
 */
export function createErrorGuard<T>(name: string): (value: unknown) => value is T {
  return (value: unknown): value is T => hasErrorBrand(value, name);
}
