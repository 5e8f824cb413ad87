import { type OwnRedis, startOwnRedis } from '@bulwark/testing/own-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';

/** A test file's private redis-server and an admin connection to it. */
export interface PrivateRedis {
  readonly url: string;
  readonly admin: Redis;
  /** Calls per command since the last `CONFIG RESETSTAT` (INFO commandstats; scripts' inner calls included). */
  commandCalls(): Promise<Map<string, number>>;
}

/**
 * Starts a private redis-server for the calling test file (before its tests, stopped after):
 * for tests that reset or read `INFO commandstats` or flush scripts, which would disturb the
 * suites sharing REDIS_URL.
 */
export function privateRedis(): PrivateRedis {
  let server: OwnRedis | undefined;
  let admin: Redis | undefined;
  beforeAll(async () => {
    server = await startOwnRedis();
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    await admin?.quit();
    await server?.kill();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('privateRedis() is used before its beforeAll ran');
    return value;
  };
  return {
    get url() {
      return started(server).url;
    },
    get admin() {
      return started(admin);
    },
    async commandCalls() {
      const calls = new Map<string, number>();
      for (const match of (await started(admin).info('commandstats')).matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) {
        calls.set(match[1] as string, Number(match[2]));
      }
      return calls;
    },
  };
}
