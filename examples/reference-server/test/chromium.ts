import { existsSync } from 'node:fs';

/** Debian's chromium, installed by `.ci/run`. Missing in CI is an error, never a skip. */
export function chromiumPath(): string | undefined {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(path)) return path;
  if (process.env.CI === 'true' || process.env.CI === '1')
    throw new Error(`chromium not found at ${path}; .ci/run installs it`);
  return undefined;
}

/** Flags that keep chromium off the network and quiet on this machine. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
