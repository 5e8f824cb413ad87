/**
 * The Redis URL for Redis-backed tests. The test command (`pnpm test`) starts a real Redis and exports `REDIS_URL`;
 * in CI (`CI=true`) a missing URL is an error, so Redis tests can never silently skip there.
 * Locally without `REDIS_URL` it returns undefined and the suite should `describe.skipIf(!url)`.
 *
 * @example
 * ```ts
 * const url = redisUrl();
 * describe.skipIf(!url)('RedisStore', () => {
 *   it('answers PING', async () => expect(await new Redis(url!).ping()).toBe('PONG'));
 * });
 * ```
 */
export function redisUrl(): string | undefined {
  const url = process.env.REDIS_URL;
  if (url) return url;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error('REDIS_URL is not set but CI is: Redis-backed tests must run in CI (`pnpm test` starts one)');
  }
  return undefined;
}
