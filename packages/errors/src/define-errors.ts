import { BulwarkError } from './bulwark-error.js';
import { assertDefinition, type ErrorDefinition, type ErrorDefinitions } from './error-definition.js';
import { globalRegistry } from './error-registry.js';

/** Per-occurrence options of {@link ErrorCatalog.err}. */
export interface ErrOptions {
  /** Occurrence-specific explanation shown to clients. Never put secrets here. */
  detail?: string | undefined;
  /** URI reference identifying this occurrence. */
  instance?: string | undefined;
  /** The underlying error (logged, never sent to clients). */
  cause?: unknown;
  /** Extra problem members, e.g. `{ retryAfterMs: 1000 }`. */
  extensions?: Readonly<Record<string, unknown>> | undefined;
  /** Overrides the definition's retryability for this occurrence. */
  retryable?: boolean | undefined;
}

/** A closed set of error codes, created by {@link defineErrors}. */
export interface ErrorCatalog<D extends ErrorDefinitions> {
  /** The definitions, frozen. */
  readonly definitions: Readonly<D>;
  /** The codes of this catalog. */
  readonly codes: ReadonlyArray<keyof D & string>;
  /** Whether `code` belongs to this catalog. */
  has(code: string): code is keyof D & string;
  /**
   * Creates the error for `code`. TypeScript rejects codes outside the catalog; at runtime an
   * unknown code yields `unknown_error` (status 500), so dynamic codes cannot leak into metrics.
   */
  err<C extends keyof D & string>(code: C, options?: ErrOptions): BulwarkError<C>;
}

/** The definition used when an unknown code reaches `err()`. */
export const UNKNOWN_ERROR: ErrorDefinition = Object.freeze({
  status: 500,
  title: 'Unknown Error',
  retryable: false,
});

/**
 * Defines a typed catalog of flat snake_case error codes and registers them process-wide.
 * Definitions are validated once: a bad code, status or title throws a TypeError naming it.
 * Defining a code twice identically is allowed (duplicate installs); differently, it throws.
 *
 * @param definitions - Code → `{ status, title, retryable?, description? }`.
 * @throws {TypeError} when a definition is invalid or conflicts with an existing code.
 * @example
 * ```ts
 * export const billingErrors = defineErrors({
 *   card_declined: { status: 402, title: 'Card Declined', description: 'The issuer declined the card.' },
 * });
 * throw billingErrors.err('card_declined', { detail: 'Insufficient funds' });
 * ```
 */
export function defineErrors<const D extends ErrorDefinitions>(definitions: D): ErrorCatalog<D> {
  const registry = globalRegistry();
  const frozen: Record<string, ErrorDefinition> = {};
  for (const [code, definition] of Object.entries(definitions)) {
    assertDefinition(code, definition);
    frozen[code] = Object.freeze({ ...definition });
  }
  for (const [code, definition] of Object.entries(frozen)) registry.add(code, definition);
  const codes = Object.freeze(Object.keys(frozen)) as ReadonlyArray<keyof D & string>;

  const has = (code: string): code is keyof D & string => Object.hasOwn(frozen, code);

  function err<C extends keyof D & string>(code: C, options: ErrOptions = {}): BulwarkError<C> {
    const known = has(code);
    const definition = known ? (frozen[code] as ErrorDefinition) : UNKNOWN_ERROR;
    return new BulwarkError({
      code: (known ? code : 'unknown_error') as C,
      status: definition.status,
      title: definition.title,
      retryable: options.retryable ?? definition.retryable ?? false,
      detail: options.detail,
      instance: options.instance,
      cause: options.cause,
      extensions: options.extensions,
      message: known ? undefined : `err() was called with an unknown error code (${typeof code})`,
    });
  }

  return Object.freeze({ definitions: Object.freeze(frozen) as Readonly<D>, codes, has, err });
}
