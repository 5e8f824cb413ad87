/** One `Symbol.for` key per class name, looked up once (the global registry is a hash lookup). */
const brands = new Map<string, symbol>();

function brandKey(name: string): symbol {
  let key = brands.get(name);
  if (key === undefined) {
    key = Symbol.for(`bulwark.error.${name}`);
    brands.set(name, key);
  }
  return key;
}

const BRAND: PropertyDescriptor = Object.freeze({
  value: true,
  enumerable: false,
  configurable: false,
  writable: false,
});

/**
 * Marks `target` as an instance of the error class `name`, with a global (`Symbol.for`)
 * key, so checks work across duplicate installs of a package and across realms where
 * `instanceof` fails.
 *
 * Brand the class once, on its prototype, in a `static` block: every instance then carries the
 * brand without paying for a property definition per construction (which cost more than the
 * rest of an error's fields together). Calling it on an instance still works, and is a no-op
 * when the instance already inherits the brand, so older subclasses that brand `this` in their
 * constructor keep working and get cheaper.
 *
 * @param target - The class prototype (or an error instance) to brand.
 * @param name - The class name, e.g. `"WebhookVerificationError"`.
 * @example
 * ```ts
 * class BrokenCircuitError extends BulwarkError {
 *   static {
 *     brandError(this.prototype, 'BrokenCircuitError');
 *   }
 * }
 * ```
 */
export function brandError(target: object, name: string): void {
  const key = brandKey(name);
  if ((target as Record<symbol, unknown>)[key] === true) return;
  Object.defineProperty(target, key, BRAND);
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
  // A branded class prototype (it owns `constructor`) is not itself an instance.
  return (value as Record<symbol, unknown>)[brandKey(name)] === true && !Object.hasOwn(value, 'constructor');
}

/**
 * Builds a type guard for a branded error class. Bundlers cannot tell that the call has no side
 * effects, so a package that exports guards marks each call with a `@__PURE__` comment annotation:
 * a bundle that never uses the guard then leaves it out.
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
