// zod 3 cannot run a zod 4 schema: nesting one in a zod 3 `z.object` calls the zod 3 parse
// protocol, `schema._parse(input)`, which zod 4 schemas do not have, and failed with
// `keyValidator._parse is not a function`. This gives our exported schemas that one method,
// answering through their Standard Schema interface, so a zod 3 host can nest them: the value
// and the issues (message and path) are ours, reported the zod 3 way. zod 3 is frozen (3.25.x
// is its last line), so the protocol this speaks does not move. @internal

interface StandardIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}
interface StandardSchemaLike {
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
 * Gives `schema` zod 3's parse methods (`_parse`, and `_parseSync`/`_parseAsync`, which zod 3's
 * arrays, unions and refinements call), non-enumerable, and returns it. Only the schema itself
 * speaks zod 3: what its zod 4 methods return (`.optional()`) does not, so a zod 3 host wraps it
 * with zod 3's own combinators (`z.optional(schema)`). @internal
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
