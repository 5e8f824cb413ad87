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
 * Brand the class once, by passing the class itself (its prototype is branded), in a static
 * field whose initializer is marked with a `@__PURE__` comment annotation: every instance then
 * carries the brand without paying for a property definition per construction (which cost more
 * than the rest of an error's fields together), and a bundler drops a class no code uses, where
 * a `static {}` block would keep every error class of an imported module in the bundle. Passing
 * a prototype or an instance still works, and is a no-op when the instance already inherits the
 * brand, so older subclasses that brand `this` in their constructor keep working and get cheaper.
 *
 * @param target - The error class, its prototype, or an error instance to brand.
 * @param name - The class name, e.g. `"WebhookVerificationError"`.
 * @returns `true`, the value of the static field that brands the class.
 * @example
 * ```ts
 * class BrokenCircuitError extends BulwarkError {
 *   protected static override readonly brand: true = brandError(this, 'BrokenCircuitError'); // marked @__PURE__ in our packages
 * }
 * ```
 */
export function brandError(target: object, name: string): true {
  const branded = typeof target === 'function' ? (target as { prototype: object }).prototype : target;
  const key = brandKey(name);
  if ((branded as Record<symbol, unknown>)[key] !== true) Object.defineProperty(branded, key, BRAND);
  return true;
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
