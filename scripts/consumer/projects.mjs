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
 * Runs in the host project (zod 3) next to `zod3-recipe.mjs`, the delivery README's recipe
 * (our zod 4 schemas nested with the `zod/v4` of the host's own zod 3.25 copy). Then nests the
 * exported schemas in zod 3 API schemas, which failed before with
 * `keyValidator._parse is not a function`.
 */
export const zodInteropScript = `import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { endpointInputSchema, endpointUpdateSchema } from '@bulwark/delivery';
import { emailMessageSchema } from '@bulwark/email/schema';
import { z } from 'zod';
import { createEndpointBody } from './zod3-recipe.mjs';

const zodVersion = createRequire(import.meta.url)('zod/package.json').version;
assert.match(zodVersion, /^3\\./, 'the host is on zod 3');

for (const [how, body] of [
  ['zod/v4 (the README recipe)', createEndpointBody],
  ['zod 3 API', z.object({ endpoint: endpointInputSchema, changes: z.optional(endpointUpdateSchema) })],
]) {
  const ok = body.safeParse({ endpoint: { url: 'https://example.com/hooks', eventTypes: ['invoice.paid'] } });
  assert.equal(ok.success, true, how + ': ' + JSON.stringify(ok.error?.issues));
  assert.equal(ok.data.endpoint.url, 'https://example.com/hooks');
  const bad = body.safeParse({ endpoint: { url: 'not a url', eventTypes: [] } });
  assert.equal(bad.success, false, how);
  assert.deepEqual(bad.error.issues[0].path.slice(0, 2), ['endpoint', 'url'], how);
}

const welcome = { from: 'Acme <hello@acme.test>', to: 'ada@example.com', subject: 'Hi', text: 'Hello' };
const signup = z.object({ welcome: emailMessageSchema }).safeParse({ welcome });
assert.equal(signup.success, true, JSON.stringify(signup.error?.issues));
assert.deepEqual(signup.data.welcome.from, { email: 'hello@acme.test', name: 'Acme' });
const rejected = z.object({ welcome: emailMessageSchema }).safeParse({ welcome: { ...welcome, to: 'nobody' } });
assert.deepEqual(rejected.error.issues.map((i) => i.path.join('.')), ['welcome.to.0']);
assert.equal(emailMessageSchema['~standard'].validate(welcome).value.to[0].email, 'ada@example.com');
console.log('zod ' + zodVersion + ' host: endpointInputSchema nests via zod/v4 (README recipe) and in zod 3 schemas; emailMessageSchema nests in zod 3 schemas: ok');
`;
