import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('runs on embedded defaults with an empty environment', () => {
    expect(loadConfig({})).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 3000,
      DATA_DIR: './data',
      WEBHOOK_REAL: false,
      LOG_LEVEL: 'info',
    });
    expect(loadConfig({}).REDIS_URL).toBeUndefined();
  });

  it('parses flags and numbers', () => {
    expect(loadConfig({ WEBHOOK_REAL: '1', PORT: '8080', REDIS_URL: 'redis://127.0.0.1:6379' })).toMatchObject({
      WEBHOOK_REAL: true,
      PORT: 8080,
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
  });

  it('stops with a message naming every bad variable, never echoing values', () => {
    const secret = 'short-secret';
    const attempt = () =>
      loadConfig({ PORT: 'eighty', ADMIN_TOKEN: secret, REDIS_URL: 'http://x', WEBHOOK_REAL: 'maybe' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ['PORT', 'ADMIN_TOKEN', 'REDIS_URL', 'WEBHOOK_REAL']) expect(message).toContain(name);
      expect(message).not.toContain(secret);
    }
  });

  it('is documented: every variable it reads has a row in the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Deploying'));
    const missing = Object.keys(configSchema.shape).filter((name) => !table.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
