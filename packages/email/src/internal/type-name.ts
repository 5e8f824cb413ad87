/**
 * The received type as zod's English messages name it (`null`, `array`, `NaN`, `Infinity`,
 * a class name, else `typeof`), so our hand-written parsers word issues as zod does. @internal
 */
export function typeName(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? 'number' : String(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object' && Object.getPrototypeOf(v) !== Object.prototype && 'constructor' in v && v.constructor) {
    return String((v.constructor as { name?: unknown }).name);
  }
  return typeof v;
}
