/**
 * A small bounded cache of imported CryptoKeys, so verifying many webhooks does not
 * re-import the same key each time. A failed import is not cached. @internal
 */
export function createKeyCache<K>(maxSize = 64): (id: string, load: () => Promise<K>) => Promise<K> {
  const cache = new Map<string, Promise<K>>();
  return (id, load) => {
    let pending = cache.get(id);
    if (!pending) {
      if (cache.size >= maxSize) cache.delete(cache.keys().next().value as string);
      pending = load();
      cache.set(id, pending);
      pending.catch(() => cache.delete(id));
    }
    return pending;
  };
}
