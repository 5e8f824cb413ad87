import { expect } from 'vitest';

/** What an error class of a Bulwark package promises about its instances. */
export interface ErrorClassExpectation {
  /** The class's `name`, set as an own, writable data property of each instance. */
  readonly name: string;
  /** The class itself: any constructor of errors, whatever its parameters. */
  readonly Class: abstract new (
    ...args: never[]
  ) => Error;
  /** Type guards that must accept the instance; the first must refuse the bare prototype. */
  readonly guards: readonly [(value: unknown) => boolean, ...((value: unknown) => boolean)[]];
}

/**
 * Asserts that `error` is branded by its class, not per instance: no own symbol properties,
 * every guard accepts it, its own guard refuses the class prototype, and `name` is a plain field.
 * Errors are built on failure paths, so an instance must carry its fields and nothing more.
 */
export function expectBrandedByClass(error: Error, { name, Class, guards }: ErrorClassExpectation): void {
  expect(Object.getOwnPropertySymbols(error)).toEqual([]);
  for (const guard of guards) expect(guard(error)).toBe(true);
  expect(error).toBeInstanceOf(Class);
  expect(error).toBeInstanceOf(Error);
  expect(guards[0](Class.prototype)).toBe(false);
  expect(Object.getOwnPropertyDescriptor(error, 'name')).toEqual({
    value: name,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}
