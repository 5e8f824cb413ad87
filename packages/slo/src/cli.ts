#!/usr/bin/env node
/**
 * The `bulwark-slo` command: `bulwark-slo recommend FILE`. The only file of the package that
 * imports `node:` modules; the logic lives in the runtime-agnostic `runCli`.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { runCli } from './internal/run-cli.js';

const readInput = async (path: string): Promise<string> => {
  if (path !== '-') return readFile(path, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

void runCli(process.argv.slice(2), {
  readFile: readInput,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
}).then((code) => {
  process.exitCode = code;
});
