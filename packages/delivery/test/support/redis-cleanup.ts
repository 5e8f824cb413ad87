import { Redis } from 'ioredis';

/**
 * Deletes every key of the stores opened with a prefix starting with `prefixStart` (their keys
 * are `{<prefix>}:…`, so the pattern starts with the hash tag's `{`); answers how many it deleted.
 */
export async function deleteStoreKeys(url: string, prefixStart: string): Promise<number> {
  const redis = new Redis(url);
  let cursor = '0';
  let deleted = 0;
  // SCAN MATCH is a glob: escape its metacharacters in the prefix.
  const pattern = `{${prefixStart.replace(/[*?[\]\\]/g, '\\$&')}*`;
  try {
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
