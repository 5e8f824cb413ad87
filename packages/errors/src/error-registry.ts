import { assertDefinition, type ErrorDefinition, sameDefinition } from './error-definition.js';

/** Every code defined with `defineErrors` in this process (across all Bulwark packages). */
export interface ErrorRegistry {
  /** The definition of `code`, or undefined when no catalog defines it. */
  get(code: string): ErrorDefinition | undefined;
  /** All defined codes with their definitions, sorted by code. */
  entries(): Array<[string, ErrorDefinition]>;
}

interface MutableRegistry extends ErrorRegistry {
  add(code: string, definition: ErrorDefinition): void;
}

function createRegistry(): MutableRegistry {
  const definitions = new Map<string, ErrorDefinition>();
  return {
    get: (code) => definitions.get(code),
    entries: () => [...definitions.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    add(code, definition) {
      assertDefinition(code, definition);
      const existing = definitions.get(code);
      if (existing && !sameDefinition(existing, definition)) {
        throw new TypeError(
          `Error code \`${code}\` is already defined differently; codes are global and must be unique`,
        );
      }
      definitions.set(code, Object.freeze({ ...definition }));
    },
  };
}

// Shared through globalThis so that two copies of this package (duplicate installs)
// still see one set of codes.
const REGISTRY_KEY = Symbol.for('bulwark.errors.registry');

/** @internal */
export function globalRegistry(): MutableRegistry {
  const holder = globalThis as unknown as Record<symbol, MutableRegistry | undefined>;
  holder[REGISTRY_KEY] ??= createRegistry();
  return holder[REGISTRY_KEY];
}

/**
 * The process-wide registry of error codes, filled by every `defineErrors` call.
 * Used by counters to fold unknown codes into `unknown_error`, and to generate docs.
 *
 * @example
 * ```ts
 * for (const [code, def] of errorRegistry().entries()) console.log(code, def.status);
 * ```
 */
export function errorRegistry(): ErrorRegistry {
  return globalRegistry();
}
