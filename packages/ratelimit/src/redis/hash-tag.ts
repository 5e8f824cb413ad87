/** What may need escaping: `}` ends a tag, `\` is the escape, surrogates may be lone. */
const SPECIAL = /[\\}\uD800-\uDFFF]/;
const SPECIAL_ALL = /[\\}]/g;
/** Lone UTF-16 surrogates (UTF-8 encoding would turn each into U+FFFD, merging distinct keys). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The Redis Cluster hash tag of a limiter key: the key itself, with `\` written `\\`, `}` written
 * `\]` and lone surrogates written `\uXXXX`. The result never contains `}`, is never empty and
 * is valid Unicode, so in `<prefix>{<tag>}:<policy>…` the tag is exactly this text and every key
 * of one decision hashes to one slot, whatever the key contains. The escaping is injective
 * (distinct keys keep distinct Redis keys), and keys without `\`, `}` or lone surrogates map to
 * themselves, so their stored state keeps its name.
 * @internal
 */
export function hashTag(key: string): string {
  if (!SPECIAL.test(key)) return key;
  return key.replace(SPECIAL_ALL, escapeSpecial).replace(LONE_SURROGATE, escapeSurrogate);
}

function escapeSpecial(char: string): string {
  return char === '}' ? '\\]' : '\\\\';
}

function escapeSurrogate(unit: string): string {
  return `\\u${unit.charCodeAt(0).toString(16).toUpperCase()}`;
}
