#!/usr/bin/env node
// What every public package publishes about where it comes from, written from ONE place, the
// root package.json: `license`, `repository` (with the package's `directory`, which npm
// provenance needs), `homepage` and `bugs`; the root LICENSE copied into the package and listed
// in `files`; and files a package ships from elsewhere in the repository (@bulwark/webhooks
// ships its wire-format spec and test vectors, which its README links to).
//
// The canonical repository is https://github.com/bulwark-dev/bulwark (root package.json); every
// github.com link to the project in the tracked files must name it.
//
//   node scripts/package-metadata.mjs          check (a test-command step): exits 1 naming drift
//   node scripts/package-metadata.mjs --write  rewrite manifests and copies
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { publicPackages, root } from './public-packages.mjs';

/** Files copied into a package from the repository (source → same relative path in the package). */
const SHIPPED_FROM_REPOSITORY = {
  webhooks: [
    'docs/webhook-signing.md',
    'test-vectors/webhooks/README.md',
    'test-vectors/webhooks/bulwark-v1.json',
    'test-vectors/webhooks/standard-v1.json',
    'test-vectors/webhooks/standard-v1a.json',
    'test-vectors/webhooks/verify.py',
    'test-vectors/webhooks/verify.sh',
    ...['stripe', 'github', 'meta', 'shopify', 'slack', 'twilio', 'hubspot'].map((p) => `test-vectors/${p}/${p}.json`),
  ],
};

const write = process.argv.includes('--write');
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const repositoryUrl = rootManifest.repository?.url;
const match = /^git\+(https:\/\/github\.com\/[^/]+\/[^/]+?)\.git$/.exec(repositoryUrl ?? '');
if (!match || !rootManifest.license) {
  console.error('root package.json needs `license` and `repository.url` as git+https://github.com/<owner>/<repo>.git');
  process.exit(1);
}
const web = match[1];

function expectedFields(folder) {
  return {
    license: rootManifest.license,
    repository: { type: 'git', url: repositoryUrl, directory: `packages/${folder}` },
    homepage: `${web}/tree/main/packages/${folder}#readme`,
    bugs: { url: `${web}/issues` },
  };
}

function sameFile(from, to) {
  return existsSync(to) && readFileSync(from).equals(readFileSync(to));
}

const problems = [];
for (const { folder, dir, manifestPath, manifest } of publicPackages()) {
  const copies = [['LICENSE', 'LICENSE'], ...(SHIPPED_FROM_REPOSITORY[folder] ?? []).map((file) => [file, file])];
  const shippedRoots = [...new Set(copies.map(([, to]) => to.split('/')[0]))];
  const next = { ...manifest, ...expectedFields(folder) };
  next.files = [...new Set([...(manifest.files ?? []), ...shippedRoots])];
  const before = `${JSON.stringify(manifest, null, 2)}\n`;
  // Keep a stable key order: the new fields go after `license` when they were missing.
  const ordered = {};
  for (const [key, value] of Object.entries(next)) {
    ordered[key] = value;
    if (key === 'license') for (const field of ['repository', 'homepage', 'bugs']) ordered[field] = next[field];
  }
  const after = `${JSON.stringify(ordered, null, 2)}\n`;
  if (before !== after) {
    if (write) writeFileSync(manifestPath, after);
    else
      problems.push(
        `${relative(root, manifestPath)}: license/repository/homepage/bugs/files differ from what the root package.json implies`,
      );
  }
  for (const [from, to] of copies) {
    const source = join(root, from);
    const target = join(dir, to);
    if (sameFile(source, target)) continue;
    if (write) {
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(source, target);
    } else problems.push(`${relative(root, target)} is not a copy of ${from}`);
  }
}

// Links to the repository anywhere in the tracked files use the same canonical URL: a link to
// another owner or name (an old placeholder, a fork) is drift.
const canonical = new URL(web);
const [owner, name] = canonical.pathname.slice(1).split('/');
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
for (const file of tracked) {
  if (!/\.(md|json|ya?ml|mjs|ts|html)$/.test(file) || file === 'pnpm-lock.yaml') continue;
  const text = readFileSync(join(root, file), 'utf8');
  for (const [url, linkOwner, linkName] of text.matchAll(
    /github\.com\/([\w.-]+)\/(bulwark[\w.-]*?)(?:\.git)?(?=[/#)"'\s`]|$)/gm,
  )) {
    if (linkOwner !== owner || linkName !== name)
      problems.push(`${file}: ${url} is not the canonical repository ${canonical.host}/${owner}/${name}`);
  }
}

if (problems.length > 0) {
  console.error(
    `${problems.join('\n')}\n\nRun \`node scripts/package-metadata.mjs --write\` to regenerate manifests and copies (links: edit them).`,
  );
  process.exit(1);
}
console.log(write ? 'package metadata written' : 'package metadata and shipped copies are current');
