import { brandError, hasErrorBrand } from './brand.js';

/** Everything that describes one failure. Used to construct a {@link BulwarkError}. */
export interface BulwarkErrorInit<C extends string = string> {
  /** Stable, flat snake_case code; match on this, never on the message. */
  code: C;
  /** HTTP status for a problem response (default 500). */
  status?: number | undefined;
  /** Short, human-readable summary of the code; the same for every occurrence. */
  title?: string | undefined;
  /** Whether retrying the same operation may succeed (default false). */
  retryable?: boolean | undefined;
  /** Explanation specific to this occurrence; shown to clients in problem bodies. */
  detail?: string | undefined;
  /** URI reference identifying this occurrence (RFC 9457 `instance`). */
  instance?: string | undefined;
  /** The underlying error; logged, never sent to clients. */
  cause?: unknown;
  /** Extra problem members (e.g. `retryAfterMs`); secrets in them are redacted on output. */
  extensions?: Readonly<Record<string, unknown>> | undefined;
  /** Internal message for logs and stack traces; defaults to `detail`, then `title`. */
  message?: string | undefined;
  /**
   * Whether to capture a stack trace (default `true`). Pass `false` on a failure path an attacker
   * can drive (a forged webhook): the error describes the request, not the code path, and costs
   * about half of an `Error` built with `Error.stackTraceLimit = 0`. Its `stack` is then
   * `undefined` on V8 (loggers and `util.inspect` fall back to `Name: message`).
   */
  captureStack?: boolean | undefined;
}

/** Shared by every error constructed without extensions (frozen, so sharing is unobservable). */
const NO_EXTENSIONS: Readonly<Record<string, unknown>> = Object.freeze({});

/** V8's `Error.stackTraceLimit` (absent on other engines, where it is ignored). */
const errorConstructor = Error as { stackTraceLimit?: unknown };

/**
 * The base of every error Bulwark throws: a real `Error` with a stable `code`, an HTTP
 * `status`, a `retryable` flag and a `cause`. Identify it with {@link isBulwarkError} (or
 * `BulwarkError.isInstance`), which works across duplicate installs, and then switch on `code`.
 *
 * @example
 * ```ts
 * throw new BulwarkError({ code: 'not_found', status: 404, title: 'Not Found', detail: 'No endpoint ep_1' });
 * ```
 */
export class BulwarkError<C extends string = string> extends Error {
  // Construction is on the failure path of every package (a forged webhook, a refused call), so it
  // does only what own-property assignments cost: the brand lives on the prototype (defining it
  // per instance cost more than every field below together), fields are `declare`d and assigned
  // once in a fixed order (one hidden class; no define-then-assign, and a subclass that assigns
  // `name` in its constructor overwrites it instead of redefining it), and errors without
  // extensions share one frozen empty object.
  /** Brands the prototype once; a static field (not a `static {}` block) so that bundles never using the class drop it. */
  protected static readonly brand: true = /* @__PURE__ */ brandError(this, 'BulwarkError');

  /** `'BulwarkError'`, or the subclass's name (an own property, as with a class field). */
  declare name: string;
  /** Stable machine-readable code. */
  declare readonly code: C;
  /** HTTP status used for problem responses. */
  declare readonly status: number;
  /** Short summary of the code. */
  declare readonly title: string;
  /** Whether the operation may succeed if retried. */
  declare readonly retryable: boolean;
  /** Occurrence-specific explanation, if any. */
  declare readonly detail: string | undefined;
  /** Occurrence URI reference, if any. */
  declare readonly instance: string | undefined;
  /** Extra problem members. */
  declare readonly extensions: Readonly<Record<string, unknown>>;

  constructor(init: BulwarkErrorInit<C>) {
    const title = init.title ?? init.code;
    const message = init.message ?? init.detail ?? title;
    const options = init.cause === undefined ? undefined : { cause: init.cause };
    if (init.captureStack === false) {
      // A limit that is not a number makes V8 capture nothing at all; with 0 it still builds an
      // empty trace and an own `stack`, which cost as much again as the rest of the error.
      const limit = errorConstructor.stackTraceLimit;
      const absent = limit === undefined && !Object.hasOwn(Error, 'stackTraceLimit');
      errorConstructor.stackTraceLimit = undefined;
      try {
        super(message, options);
      } finally {
        if (absent) delete errorConstructor.stackTraceLimit;
        else errorConstructor.stackTraceLimit = limit;
      }
    } else {
      super(message, options);
    }
    const self = this as { -readonly [K in keyof BulwarkError<C>]: BulwarkError<C>[K] };
    self.name = 'BulwarkError';
    self.code = init.code;
    self.status = init.status ?? 500;
    self.title = title;
    self.retryable = init.retryable ?? false;
    self.detail = init.detail;
    self.instance = init.instance;
    self.extensions = init.extensions === undefined ? NO_EXTENSIONS : Object.freeze({ ...init.extensions });
  }

  /** Reports whether `value` is a BulwarkError, from any copy of this package. */
  static isInstance(value: unknown): value is BulwarkError {
    return isBulwarkError(value);
  }

  /** A log- and wire-safe summary: no stack, no cause. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      status: this.status,
      title: this.title,
      retryable: this.retryable,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
    };
  }
}

/**
 * Reports whether `value` is a {@link BulwarkError} (or subclass), from any copy of this package.
 *
 * @example
 * ```ts
 * if (isBulwarkError(error) && error.code === 'not_found') return notFound();
 * ```
 */
export function isBulwarkError(value: unknown): value is BulwarkError {
  return hasErrorBrand(value, 'BulwarkError');
}

/**
 * Reports whether `value` is a BulwarkError with one of the given codes, narrowing its `code`.
 *
 * @example
 * ```ts
 * if (hasErrorCode(error, 'email_rate_limited', 'email_provider_unavailable')) retryLater();
 * ```
 */
export function hasErrorCode<C extends string>(value: unknown, ...codes: C[]): value is BulwarkError<C> {
  return isBulwarkError(value) && (codes as string[]).includes(value.code);
}
