import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRedisStore } from '@bulwark/delivery/redis';
import { redisUrl } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from './helpers.js';

const serverDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const OLD = `old:${Buffer.alloc(32, 1).toString('base64')}`;
const NEW = `new:${Buffer.alloc(32, 2).toString('base64')}`;

describe('pnpm reencrypt (Redis)', () => {
  it('re-seals the endpoint secrets stored under REDIS_KEY_PREFIX with the current key', {
    timeout: 30_000,
  }, async () => {
    const url = redisUrl() as string;
    const prefix = `reenc-${randomUUID().slice(0, 8)}:`;
    const { request, services } = buildTestApp({ REDIS_URL: url, REDIS_KEY_PREFIX: prefix, DATA_ENCRYPTION_KEYS: OLD });
    const reader = createRedisStore({ connection: url, prefix: `${prefix}delivery:` });
    try {
      const created = await request('/admin/endpoints', {
        method: 'POST',
        admin: true,
        body: JSON.stringify({ url: 'https://receiver.example.com/hooks' }),
      });
      const { endpoint } = (await created.json()) as { endpoint: { id: string } };
      expect((await reader.getEndpoint(endpoint.id))?.secrets[0]?.secret).toMatch(/^bwenc1\.old\./);

      const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/reencrypt.ts'], {
        cwd: serverDir,
        env: {
          ...process.env,
          REDIS_URL: url,
          REDIS_KEY_PREFIX: prefix,
          DATA_ENCRYPTION_KEYS: `${NEW},${OLD}`,
          DATA_DIR: ':memory:',
        },
        encoding: 'utf8',
      });
      expect(run.status).toBe(0);
      // Before: the script read the default prefix's outbox and re-sealed nothing here.
      expect(run.stdout).toContain("re-sealed 1 endpoint(s) with key 'new'");
      expect((await reader.getEndpoint(endpoint.id))?.secrets[0]?.secret).toMatch(/^bwenc1\.new\./);
    } finally {
      await reader.close();
      for (const closer of services.closers) await closer.close();
    }
  });
});
