/**
 * Serializes a JSON value canonically: object members sorted by key (UTF-16 code units, as
 * RFC 8785 JCS does), no whitespace, strings and numbers as `JSON.stringify` writes them. Two
 * values that differ only in member order serialize identically; any other difference shows.
 * Inputs from `JSON.parse` always work; `undefined` members are dropped as `JSON.stringify`
 * drops them.
 *
 * @param value - A JSON value (object, array, string, finite number, boolean or null).
 * @throws {TypeError} for values JSON cannot represent: non-finite numbers, bigints, functions,
 * symbols, cycles.
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: numbers must be finite');
      return JSON.stringify(value);
    case 'object':
      return writeObject(value, seen);
    default:
      throw new TypeError(`canonicalJson: cannot serialize a ${typeof value}`);
  }
}

function writeObject(value: object, seen: Set<object>): string {
  if (seen.has(value)) throw new TypeError('canonicalJson: cyclic value');
  seen.add(value);
  let out: string;
  if (Array.isArray(value)) {
    out = `[${value.map((item) => (item === undefined ? 'null' : write(item, seen))).join(',')}]`;
  } else {
    const record = value as Record<string, unknown>;
    const members: string[] = [];
    for (const key of Object.keys(record).sort()) {
      if (record[key] === undefined) continue;
      members.push(`${JSON.stringify(key)}:${write(record[key], seen)}`);
    }
    out = `{${members.join(',')}}`;
  }
  seen.delete(value);
  return out;
}
