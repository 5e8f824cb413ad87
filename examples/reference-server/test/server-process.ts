import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const serverDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * The reference server as a real child process (`node --import tsx src/main.ts`), output captured.
 * Embedded stores unless `env` sets REDIS_URL (the test command's own REDIS_URL is not inherited).
 */
export function startServerProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serverDir,
    env: { ...process.env, REDIS_URL: '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** The `http://127.0.0.1:<port>` a started server logged, once it did. */
export function listeningUrl(output: string): string | undefined {
  return /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output)?.[1];
}
