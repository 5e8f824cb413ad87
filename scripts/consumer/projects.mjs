// Consumer projects in the system temp directory, installed with plain npm.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './run.mjs';

/**
 * Creates `dir` with a package.json made of `fields` and runs `npm install` there, preferring
 * npm's cache. Resolves the install's `{ code, stdout, stderr, ms }`.
 */
export function installProject(dir, fields) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `consumer-${dir.split(/[\\/]/).pop()}`, private: true, version: '0.0.0', ...fields }, null, 2)}\n`,
  );
  return run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    timeoutMs: 240_000,
  });
}

/** The installed copies (`{ version, location }`) that an `npm query` selector matches. */
export async function npmQuery(dir, selector) {
  const result = await run('npm', ['query', selector], { cwd: dir });
  if (result.code !== 0) throw new Error(`npm query ${selector} failed in ${dir}:\n${result.stderr}`);
  return JSON.parse(result.stdout).map(({ version, location }) => ({ version, location }));
}

/**
 * Runs in the host project (zod 3) next to `zod3-recipe.mjs`, the delivery README's recipe for
 * validating our zod 4 schemas inside a zod 3 schema through their Standard Schema interface.
 */
export const zodInteropScript = `import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { emailMessageSchema } from '@bulwark/email';
import { createEndpointBody } from './zod3-recipe.mjs';

const zodVersion = createRequire(import.meta.url)('zod/package.json').version;
assert.match(zodVersion, /^3\\./, 'the host is on zod 3');

const ok = createEndpointBody.safeParse({ endpoint: { url: 'https://example.com/hooks', eventTypes: ['invoice.paid'] } });
assert.equal(ok.success, true, JSON.stringify(ok.error?.issues));
assert.equal(ok.data.endpoint.url, 'https://example.com/hooks');
const bad = createEndpointBody.safeParse({ endpoint: { url: 'not a url', eventTypes: [] } });
assert.equal(bad.success, false);
assert.deepEqual(bad.error.issues[0].path.slice(0, 2), ['endpoint', 'url']);

const welcome = emailMessageSchema['~standard'].validate({ from: 'Acme <hello@acme.test>', to: 'ada@example.com', subject: 'Hi', text: 'Hello' });
assert.deepEqual(welcome.value.from, { email: 'hello@acme.test', name: 'Acme' });
console.log('zod ' + zodVersion + ' host: the README recipe validates endpointInputSchema; emailMessageSchema validates via Standard Schema: ok');
`;
