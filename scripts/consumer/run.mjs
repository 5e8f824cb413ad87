// Small process and formatting helpers for the consumer check.
import { spawn } from 'node:child_process';

/** Runs `items` through `fn` with at most `limit` in flight; results keep the input order. */
export async function mapConcurrent(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Runs a command, collecting its output. Resolves `{ code, stdout, stderr, ms }`; never rejects on
 * a non-zero exit. A command still running after `timeoutMs` is killed (SIGKILL) and reports code
 * `'timeout'`.
 */
export function run(command, args, { cwd, env, timeoutMs = 120_000 } = {}) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? 'timeout' : (code ?? signal), stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** A fixed-width text table: `columns` are `{ title, align?: 'right' }`, `rows` arrays of strings. */
export function table(columns, rows) {
  const widths = columns.map((column, i) => Math.max(column.title.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) =>
    cells
      .map((cell, i) =>
        columns[i].align === 'right' ? String(cell).padStart(widths[i]) : String(cell).padEnd(widths[i]),
      )
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.title)), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** `12345` → `'12.1 kB'` (1 kB = 1024 bytes). */
export function kB(bytes) {
  return `${(bytes / 1024).toFixed(1)} kB`;
}
