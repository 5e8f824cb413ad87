/** How one error code behaves wherever it is raised. */
export interface ErrorDefinition {
  /** HTTP status of problem responses for this code (400–599). */
  readonly status: number;
  /** Short summary, the same for every occurrence (RFC 9457 `title`). */
  readonly title: string;
  /** Whether retrying may succeed (default false). */
  readonly retryable?: boolean;
  /**
   * When this code is used, for generated docs (optional). It ships in every bundle that holds
   * the catalog, so a library may keep its descriptions in a module that only its docs generator
   * imports, as Bulwark's packages do (their codes are documented in docs/errors.md).
   */
  readonly description?: string;
}

/** A map from flat snake_case code to its definition. */
export type ErrorDefinitions = Readonly<Record<string, ErrorDefinition>>;

const CODE_PATTERN = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/** Maximum length of a code: codes are metric label values and must stay short. */
export const MAX_CODE_LENGTH = 64;

/**
 * Checks one definition; throws a TypeError naming the code and the field at fault.
 * @internal
 */
export function assertDefinition(code: string, definition: ErrorDefinition): void {
  if (!CODE_PATTERN.test(code) || code.length > MAX_CODE_LENGTH) {
    throw new TypeError(
      `Error code \`${code}\` must be flat snake_case (a-z, 0-9, _) of at most ${MAX_CODE_LENGTH} characters`,
    );
  }
  const { status, title, retryable, description } = definition;
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new TypeError(
      `Expected \`${code}.status\` to be an integer HTTP error status in [400, 599], got ${String(status)}`,
    );
  }
  if (typeof title !== 'string' || title.trim() === '') {
    throw new TypeError(`Expected \`${code}.title\` to be a non-empty string`);
  }
  if (retryable !== undefined && typeof retryable !== 'boolean') {
    throw new TypeError(`Expected \`${code}.retryable\` to be a boolean`);
  }
  if (description !== undefined && (typeof description !== 'string' || description.trim() === '')) {
    throw new TypeError(`Expected \`${code}.description\` to be a non-empty string`);
  }
}

/** @internal */
export function sameDefinition(a: ErrorDefinition, b: ErrorDefinition): boolean {
  return (
    a.status === b.status &&
    a.title === b.title &&
    (a.retryable ?? false) === (b.retryable ?? false) &&
    a.description === b.description
  );
}
