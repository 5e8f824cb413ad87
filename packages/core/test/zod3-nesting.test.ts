import { describe, expect, it } from 'vitest';
import { z as z3 } from 'zod/v3';
import { nestableInZod3, type StandardSchemaLike } from '../src/index.js';

// zod/v3 is zod 3.25's code, shipped inside zod 4: the parse protocol a zod 3 host runs.
const positive = nestableInZod3({
  '~standard': {
    validate: (value: unknown) =>
      typeof value === 'number' && value > 0
        ? { value: value * 2 }
        : { issues: [{ message: 'Expected a positive number' }] },
  },
});
const fake = (result: unknown) =>
  nestableInZod3({ '~standard': { validate: () => result as never } } satisfies StandardSchemaLike);

describe('nestableInZod3 (the zod 3 parse protocol over a Standard Schema)', () => {
  const host = z3.object({ amount: positive as unknown as z3.ZodType<number> });

  it("returns the schema's value, not the input, inside a zod 3 object", () => {
    expect(host.parse({ amount: 2 })).toEqual({ amount: 4 });
  });

  it('reports issues under the host path, the zod 3 way', () => {
    const result = host.safeParse({ amount: -1 });
    expect(result.error?.issues.map((i) => [i.path, i.message])).toEqual([[['amount'], 'Expected a positive number']]);
  });

  it('answers zod 3 async parsing (arrays call _parseAsync)', async () => {
    expect(await z3.array(positive as unknown as z3.ZodType<number>).parseAsync([1, 2])).toEqual([2, 4]);
  });

  it('nests in unions and optional wrappers built by zod 3', () => {
    const schema = positive as unknown as z3.ZodType<number>;
    expect(z3.optional(schema).parse(undefined)).toBeUndefined();
    expect(z3.union([z3.string(), schema]).parse(3)).toBe(6);
  });

  it('keeps string, number and { key } path segments and drops symbols', () => {
    const schema = fake({
      issues: [{ message: 'bad', path: ['a', 0, { key: 'b' }, Symbol('s')] }, { message: 'no path' }],
    }) as unknown as z3.ZodTypeAny;
    const result = z3.object({ x: schema }).safeParse({ x: 1 });
    expect(result.error?.issues.map((i) => [i.path, i.message])).toEqual([
      [['x', 'a', 0, 'b'], 'bad'],
      [['x'], 'no path'],
    ]);
  });

  it('refuses an asynchronous schema with a TypeError', () => {
    const schema = fake(Promise.resolve({ value: 1 })) as unknown as z3.ZodTypeAny;
    expect(() => z3.object({ x: schema }).parse({ x: 1 })).toThrow(TypeError);
  });

  it('adds its methods non-enumerable and returns the same object', () => {
    const schema = { '~standard': { validate: (value: unknown) => ({ value }) } };
    expect(nestableInZod3(schema)).toBe(schema);
    expect(Object.keys(schema)).toEqual(['~standard']);
  });
});
