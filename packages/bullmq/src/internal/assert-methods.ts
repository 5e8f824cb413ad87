/**
 * Checks once, at construction, that an object option has the methods it is called through, so a
 * wrong value fails there, naming the option, instead of failing every job later.
 * @throws {TypeError} naming the option and the first missing method.
 * @internal
 */
export function assertMethods(name: string, value: unknown, methods: readonly string[]): void {
  if (value === undefined) return;
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
    throw new TypeError(
      `Expected \`${name}\` to be an object with ${methods.join(', ')}, got ${value === null ? 'null' : typeof value}`,
    );
  }
  for (const method of methods) {
    if (typeof (value as Record<string, unknown>)[method] !== 'function') {
      throw new TypeError(`Expected \`${name}.${method}\` to be a function`);
    }
  }
}
