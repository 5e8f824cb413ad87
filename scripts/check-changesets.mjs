#!/usr/bin/env node
// Changesets a release can use. Two parts:
// 1. Every .changeset/*.md is parsed strictly here: front matter of `"<package>": patch|minor|major`
//    lines naming public, non-ignored workspace packages, then a non-empty summary. This needs no
//    git history, so it runs the same on a fresh clone, a shallow CI checkout or a tarball.
// 2. `changeset status --since=<base>` when the base branch (config.baseBranch, as
//    `origin/<base>` or `<base>`) exists: it also fails when a package changed since the base has
//    no changeset. Without a base ref (a shallow checkout), that part is skipped and says so.
// Packages not released yet (no CHANGELOG.md) should have one changeset, `<folder>-first-release.md`,
// describing the first release; a second one is reported as a warning to fold it in.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publicPackages, root } from './public-packages.mjs';

const dir = join(root, '.changeset');
const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
const ignored = (config.ignore ?? []).map(
  (pattern) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`),
);
const packages = new Map(publicPackages().map((pkg) => [pkg.manifest.name, pkg]));

const problems = [];
const warnings = [];
const byPackage = new Map();
for (const file of readdirSync(dir)
  .filter((name) => name.endsWith('.md') && name !== 'README.md')
  .sort()) {
  const text = readFileSync(join(dir, file), 'utf8');
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  if (!match) {
    problems.push(`${file}: must start with a front matter block: ---, one "<package>": <bump> line per package, ---`);
    continue;
  }
  const lines = match[1].split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) problems.push(`${file}: the front matter names no package`);
  for (const line of lines) {
    const entry = /^"(@[a-z0-9-]+\/[a-z0-9-]+)": (patch|minor|major)$/.exec(line.trim());
    if (!entry) {
      problems.push(`${file}: \`${line}\` is not a \`"<package>": patch|minor|major\` line`);
      continue;
    }
    const [, name] = entry;
    if (!packages.has(name)) problems.push(`${file}: ${name} is not a public workspace package`);
    else if (ignored.some((pattern) => pattern.test(name))) problems.push(`${file}: ${name} is ignored in config.json`);
    else byPackage.set(name, [...(byPackage.get(name) ?? []), file]);
  }
  if (match[2].trim() === '') problems.push(`${file}: the summary (after the front matter) is empty`);
}

for (const [name, files] of byPackage) {
  const { dir: packageDir, folder } = /** @type {any} */ (packages.get(name));
  if (existsSync(join(packageDir, 'CHANGELOG.md'))) continue;
  const extra = files.filter((file) => file !== `${folder}-first-release.md`);
  if (extra.length > 0 && files.length > 1)
    warnings.push(
      `${name} is not released yet: fold ${extra.join(', ')} into ${folder}-first-release.md so its first changelog reads as a first release`,
    );
}

for (const warning of warnings) console.warn(`⚠ ${warning}`);
if (problems.length > 0) {
  console.error(`✖ ${problems.join('\n✖ ')}`);
  process.exit(1);
}
console.log(`✔ ${byPackage.size} package(s) with changesets; every changeset parses`);

const base = config.baseBranch ?? 'main';
const ref = [`origin/${base}`, base].find(
  (candidate) =>
    spawnSync('git', ['rev-parse', '--verify', '--quiet', candidate], { cwd: root, stdio: 'ignore' }).status === 0,
);
if (!ref) {
  console.log(
    `no ${base} or origin/${base} ref in this checkout: \`changeset status\` skipped (files validated above)`,
  );
  process.exit(0);
}
const status = spawnSync('pnpm', ['exec', 'changeset', 'status', `--since=${ref}`], { cwd: root, stdio: 'inherit' });
process.exit(status.status ?? 1);
