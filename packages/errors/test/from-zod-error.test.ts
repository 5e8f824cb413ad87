import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fromZodError, toJsonPointer, toProblem } from '../src/index.js';

describe('fromZodError', () => {
  const schema = z.object({
    email: z.email(),
    items: z.array(z.object({ 'a/b~c': z.number() })),
  });

  it('maps each zod issue to a JSON Pointer and message in a validation_failed problem', () => {
    const parsed = schema.safeParse({ email: 'nope', items: [{ 'a/b~c': 'x' }] });
    expect(parsed.success).toBe(false);
    const error = fromZodError(parsed.error);
    expect(error.code).toBe('validation_failed');
    expect(error.status).toBe(422);
    const problem = toProblem(error);
    expect(problem.detail).toBe('2 invalid fields');
    expect(problem.errors).toEqual([
      expect.objectContaining({ pointer: '/email', code: 'invalid_format' }),
      expect.objectContaining({ pointer: '/items/0/a~1b~0c', code: 'invalid_type' }),
    ]);
  });

  it('uses the empty pointer for the whole document and a singular detail', () => {
    const parsed = z.string().safeParse(1);
    const problem = toProblem(fromZodError(parsed.error, { detail: 'Body must be a string' }));
    expect(problem.errors).toEqual([expect.objectContaining({ pointer: '' })]);
    expect(problem.detail).toBe('Body must be a string');
    expect(toProblem(fromZodError(parsed.error)).detail).toBe('1 invalid field');
  });

  it('caps the number of listed issues', () => {
    const issues = Array.from({ length: 500 }, (_, i) => ({ path: ['f', i], message: 'bad' }));
    const problem = toProblem(fromZodError({ issues }, { maxIssues: 3 }));
    expect(problem.errors).toHaveLength(3);
    expect(problem.detail).toBe('500 invalid fields');
  });

  it('rejects values that are not zod-like', () => {
    expect(() => fromZodError(new Error('x'))).toThrow(TypeError);
    expect(() => fromZodError(null)).toThrow(TypeError);
  });
});

describe('toJsonPointer', () => {
  it('escapes ~ and / and stringifies numbers and symbols', () => {
    expect(toJsonPointer(['a/b', '~', 3, Symbol('s')])).toBe('/a~1b/~0/3/s');
    expect(toJsonPointer([])).toBe('');
  });
});
