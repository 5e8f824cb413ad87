// zod 3 cannot run a zod 4 schema: nesting one in a zod 3 `z.object` calls the zod 3 parse
// protocol, `schema._parse(input)`, which zod 4 schemas do not have, and fails with
// `keyValidator._parse is not a function`. This gives a schema that one method, answering through
// its Standard Schema interface, so a zod 3 host can nest it: the value and the issues (message
// and path) are the schema's, reported the zod 3 way. zod 3 is frozen (3.25.x is its last line),
// so the protocol this speaks does not move.

/** One issue as a Standard Schema reports it: a message and, optionally, where. */
export interface StandardIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}
/** The part of the Standard Schema interface {@link nestableInZod3} needs: a synchronous `validate`. */
export interface StandardSchemaLike {
  readonly '~standard': {
    validate(
      value: unknown,
    ): { value: unknown; issues?: undefined } | { issues: readonly StandardIssue[] } | Promise<unknown>;
  };
}
/** What zod 3 passes to `_parse`: the value, its path, and the context collecting issues. */
interface Zod3Input {
  readonly data: unknown;
  readonly path: readonly (string | number)[];
  readonly parent: { readonly common: { readonly issues: unknown[] } };
}

/**
 * Makes a Standard Schema (a zod 4 schema, for one) nestable in zod 3 schemas: gives `schema`
 * zod 3's parse methods (`_parse`, and `_parseSync`/`_parseAsync`, which zod 3's arrays, unions and
 * refinements call), non-enumerable, and returns the same object. Bulwark's exported zod 4
 * schemas pass through it so hosts still on zod 3 can embed them. Only the schema itself speaks
 * zod 3: what its own methods return (`.optional()`) does not, so a zod 3 host wraps it with zod
 * 3's combinators (`z.optional(schema)`). An asynchronous schema throws a `TypeError` when zod 3
 * parses it synchronously.
 *
 * @param schema - Any object with a synchronous Standard Schema `~standard.validate`.
 * @returns `schema` itself, now also answering zod 3's parse protocol.
 * @example
 * ```ts
 * import { nestableInZod3 } from '@bulwark/core';
 *
 * const positive = nestableInZod3({
 *   '~standard': {
 *     validate: (value: unknown) =>
 *       typeof value === 'number' && value > 0 ? { value } : { issues: [{ message: 'Expected a positive number' }] },
 *   },
 * });
 * // In a zod 3 host: z.object({ amount: positive as unknown as z.ZodType<number> })
 * ```
 */
export function nestableInZod3<T extends StandardSchemaLike>(schema: T): T {
  const parse = (input: Zod3Input) => {
    const result = schema['~standard'].validate(input.data);
    if (result instanceof Promise) throw new TypeError('A synchronous schema returned a Promise');
    const issues = (result as { issues?: readonly StandardIssue[] }).issues;
    if (!issues) return { status: 'valid', value: (result as { value: unknown }).value };
    for (const issue of issues) {
      const path = (issue.path ?? []).map((s) => (typeof s === 'object' ? s.key : s));
      input.parent.common.issues.push({
        code: 'custom',
        message: issue.message,
        path: [...input.path, ...path.filter((s): s is string | number => typeof s !== 'symbol')],
        fatal: true,
      });
    }
    return { status: 'aborted' };
  };
  Object.defineProperties(schema, {
    _parse: { configurable: true, value: parse },
    _parseSync: { configurable: true, value: parse },
    _parseAsync: { configurable: true, value: async (input: Zod3Input) => parse(input) },
  });
  return schema;
}
