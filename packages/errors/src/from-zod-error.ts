import { baseErrors } from './base-errors.js';
import type { BulwarkError } from './bulwark-error.js';

/** One invalid field, as listed in a `validation_failed` problem's `errors` member. */
export interface ValidationIssue {
  /** RFC 6901 JSON Pointer to the offending value (`""` for the whole document). */
  pointer: string;
  /** What is wrong with it. */
  message: string;
  /** The validator's issue code, e.g. zod's `invalid_type`. */
  code?: string;
}

/** The structural shape of a zod error (v3 or v4) that {@link fromZodError} reads. */
export interface ZodLikeError {
  readonly issues: ReadonlyArray<{
    readonly path: ReadonlyArray<PropertyKey>;
    readonly message: string;
    readonly code?: string;
  }>;
}

/**
 * Encodes a path as an RFC 6901 JSON Pointer (`~` → `~0`, `/` → `~1`).
 *
 * @example
 * ```ts
 * toJsonPointer(['items', 0, 'a/b']); // '/items/0/a~1b'
 * ```
 */
export function toJsonPointer(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map(
      (segment) =>
        `/${String(typeof segment === 'symbol' ? segment.description : segment)
          .replace(/~/g, '~0')
          .replace(/\//g, '~1')}`,
    )
    .join('');
}

function isZodLike(value: unknown): value is ZodLikeError {
  return typeof value === 'object' && value !== null && Array.isArray((value as ZodLikeError).issues);
}

/**
 * Maps a zod error to a `validation_failed` (422) error whose problem body lists each issue
 * with a JSON Pointer. Works with zod v3 and v4 without depending on zod. At most
 * `maxIssues` (default 50) issues are listed.
 *
 * @param error - A `ZodError` (or any `{ issues: [{ path, message, code? }] }`).
 * @param options - `detail` for the problem; `maxIssues` cap.
 * @throws {TypeError} when `error` has no `issues` array.
 * @example
 * ```ts
 * const parsed = schema.safeParse(body);
 * if (!parsed.success) throw fromZodError(parsed.error);
 * ```
 */
export function fromZodError(
  error: unknown,
  options: { detail?: string; maxIssues?: number } = {},
): BulwarkError<'validation_failed'> {
  if (!isZodLike(error)) throw new TypeError('fromZodError expects an error with an `issues` array');
  const maxIssues = options.maxIssues ?? 50;
  const errors: ValidationIssue[] = error.issues.slice(0, maxIssues).map((issue) => ({
    pointer: toJsonPointer(issue.path),
    message: issue.message,
    ...(issue.code === undefined ? {} : { code: issue.code }),
  }));
  const count = error.issues.length;
  return baseErrors.err('validation_failed', {
    detail: options.detail ?? `${count} invalid field${count === 1 ? '' : 's'}`,
    cause: error,
    extensions: { errors },
  });
}
