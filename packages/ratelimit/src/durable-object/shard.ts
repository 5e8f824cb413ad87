/**
 * The bucket of `key` among `shards`: FNV-1a (32 bit) over the key's UTF-16 code units,
 * modulo `shards`. Deterministic across isolates and runtimes, so every Worker routes a key to
 * the same object.
 * @internal
 */
export function shardOf(key: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}
