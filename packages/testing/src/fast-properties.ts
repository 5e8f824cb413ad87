import { setFlagsFromString } from 'node:v8';

// V8 parses its intrinsics only in functions compiled after the flag is set, hence `new Function`.
setFlagsFromString('--allow-natives-syntax');
const check = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

/**
 * Whether V8 keeps `object` in fast mode (hidden-class fields). An object in dictionary mode —
 * e.g. one built from a literal with a getter — makes every property read a hash lookup the
 * optimizer cannot inline, which on a handle called per request (`limiter.limit`) costs more
 * than the work behind it. Node only.
 */
export function hasFastProperties(object: object): boolean {
  return check(object);
}
