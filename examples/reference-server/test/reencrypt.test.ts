import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRedisStore } from '@bulwark/delivery/redis';
import { createSqliteStore } from '@bulwark/delivery/sqlite';
import { redisUrl } from '@bulwark/testing';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from './helpers.js';

const serverDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const OLD = `old:${Buffer.alloc(32, 1).toString('base64')}`;
const NEW = `new:${Buffer.alloc(32, 2).toString('base64')}`;

function reencrypt(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/reencrypt.ts'], {
    cwd: serverDir,
    env: { ...process.env, REDIS_URL: '', ...env },
    encoding: 'utf8',
  });
}

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

      const run = reencrypt({
        REDIS_URL: url,
        REDIS_KEY_PREFIX: prefix,
        DATA_ENCRYPTION_KEYS: `${NEW},${OLD}`,
        DATA_DIR: ':memory:',
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

describe('pnpm reencrypt (embedded SQLite)', () => {
  it('re-seals the secrets in DATA_DIR with the current key, after which the old key can be dropped', {
    timeout: 30_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-reencrypt-'));
    try {
      const first = buildTestApp({ DATA_DIR: dir, DATA_ENCRYPTION_KEYS: OLD });
      const created = await first.request('/admin/endpoints', {
        method: 'POST',
        admin: true,
        body: JSON.stringify({ url: 'https://receiver.example.com/hooks' }),
      });
      const { endpoint, secret } = (await created.json()) as { endpoint: { id: string }; secret: string };
      for (const closer of first.services.closers) await closer.close();
      const sealed = async () => {
        const raw = createSqliteStore({ path: join(dir, 'delivery.db') });
        try {
          return (await raw.getEndpoint(endpoint.id))?.secrets[0]?.secret;
        } finally {
          await raw.close();
        }
      };
      expect(await sealed()).toMatch(/^bwenc1\.old\./);

      const run = reencrypt({ DATA_DIR: dir, DATA_ENCRYPTION_KEYS: `${NEW},${OLD}` });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain("re-sealed 1 endpoint(s) with key 'new'");
      expect(await sealed()).toMatch(/^bwenc1\.new\./);
      // A second run has nothing left to do.
      expect(reencrypt({ DATA_DIR: dir, DATA_ENCRYPTION_KEYS: `${NEW},${OLD}` }).stdout).toContain('re-sealed 0');

      // The old key is gone from the configuration: the secret still opens and signs.
      const second = buildTestApp({ DATA_DIR: dir, DATA_ENCRYPTION_KEYS: NEW });
      try {
        expect((await second.services.delivery?.store.getEndpoint(endpoint.id))?.secrets[0]?.secret).toBe(secret);
      } finally {
        for (const closer of second.services.closers) await closer.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
