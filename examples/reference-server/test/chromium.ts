import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { listenOnLoopback } from '../src/listen-on-loopback.js';

/** Chromium (CHROMIUM_PATH, set by the test command, which installs Debian's chromium). Missing in CI is an error, never a skip. */
export function chromiumPath(): string | undefined {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(path)) return path;
  if (process.env.CI === 'true' || process.env.CI === '1')
    throw new Error(`chromium not found at ${path}; pnpm test installs it (scripts/provision.mjs)`);
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

/** The app served on a loopback port and a headless Chromium to drive it. */
export interface DashboardSession {
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  readonly browser: Browser;
  /** Closes the browser, then the server. */
  close(): Promise<void>;
}

/** Serves `fetch` on loopback and launches Debian's chromium at `executablePath` against it. */
export async function openDashboard(
  fetch: Parameters<typeof listenOnLoopback>[0],
  executablePath: string,
): Promise<DashboardSession> {
  const server = await listenOnLoopback(fetch);
  try {
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    return {
      baseUrl: server.url,
      browser,
      async close() {
        await browser.close();
        await server.close();
      },
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}
