import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const vectorsRoot = resolve(import.meta.dirname, '../../../test-vectors');
const vectorsDir = join(vectorsRoot, 'webhooks');
const PROVIDERS = ['stripe', 'github', 'meta', 'shopify', 'slack', 'twilio', 'hubspot'];
const scratch = mkdtempSync(join(tmpdir(), 'bulwark-vectors-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Runs a verifier without blocking the worker: a synchronous spawn of the shell verifier (~50 s
 * on a loaded machine) starved vitest's worker RPC ("Timeout calling onTaskUpdate").
 */
function run(command: string, args: string[]): Promise<{ stdout: string; status: number }> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      resolve({ stdout, status: error ? (typeof error.code === 'number' ? error.code : 1) : 0 });
    });
  });
}

/** A copy of a vector file with every expectation of its first two cases turned wrong. */
function sabotaged(file: string, dir = vectorsDir): string {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n');
  const cases = lines
    .filter((l) => l.startsWith('    {"name":'))
    .slice(0, 2)
    .map((l) => l.replace(/,$/, ''));
  const wrong = cases.map((l) =>
    l.includes('"valid":true')
      ? l.replace(/"expected":\{[^}]*\}/, '"expected":{"valid":false,"code":"webhook_signature_mismatch"}')
      : l.replace(/"code":"[a-z_]+"/, '"code":"webhook_replayed"'),
  );
  const head = lines.slice(
    0,
    lines.findIndex((l) => l.startsWith('    {"name":')),
  );
  const path = join(scratch, file.replace('/', '-'));
  writeFileSync(path, [...head, `${wrong.join(',\n')}`, '  ]', '}', ''].join('\n'));
  return path;
}

describe('independent verifiers of the test vectors', () => {
  it('python3 (standard library only) agrees with every vector, the provider vectors included', async () => {
    const result = await run('python3', [join(vectorsDir, 'verify.py')]);
    expect(result.stdout).toMatch(/^193\/193 vectors passed/m);
    expect(result.status).toBe(0);
  });

  it('python3 fails on wrong expectations in every provider file', async () => {
    const paths = PROVIDERS.map((provider) => sabotaged(`${provider}.json`, join(vectorsRoot, provider)));
    const result = await run('python3', [join(vectorsDir, 'verify.py'), ...paths]);
    for (const provider of PROVIDERS) expect(result.stdout).toContain(`FAIL ${provider}.json:`);
    expect(result.stdout).toContain(`0/${2 * PROVIDERS.length} vectors passed`);
    expect(result.status).toBe(1);
  });

  it('POSIX sh + openssl agrees with every vector', async () => {
    const result = await run('sh', [join(vectorsDir, 'verify.sh')]);
    expect(result.stdout).toMatch(/^70\/70 vectors passed/m);
    expect(result.status).toBe(0);
  }, 120_000);

  it.each(['bulwark-v1.json', 'standard-v1.json', 'standard-v1a.json'])(
    'both verifiers fail on wrong expectations (%s)',
    async (file) => {
      const path = sabotaged(file);
      for (const [command, script] of [
        ['python3', 'verify.py'],
        ['sh', 'verify.sh'],
      ] as const) {
        const result = await run(command, [join(vectorsDir, script), path]);
        expect(result.stdout).toContain('0/2 vectors passed');
        expect(result.status).toBe(1);
      }
    },
    30_000,
  );
});
