// pnpm 10 and npm 11 run a package script as `sh -c '<script>'`. A signal sent to the package
// manager reaches that shell, which dies without passing it on: the script's process is
// re-parented and keeps running. Watching the parent pid turns "my launcher is gone" into the
// signal the user meant, so `kill <pid of pnpm start>` stops the server like Ctrl+C does.

/**
 * Calls `onParentExit` once when this process's parent exits (its `ppid` changes).
 * Nothing is watched when the process was started by init (ppid 1) already.
 * @param {{ intervalMs?: number, onParentExit?: () => void }} [options]
 *   `onParentExit` defaults to sending SIGTERM to this process, so its own graceful shutdown runs.
 * @returns {() => void} stops watching
 */
export function exitWithParent(options = {}) {
  const intervalMs = options.intervalMs ?? 200;
  const onParentExit = options.onParentExit ?? (() => process.kill(process.pid, 'SIGTERM'));
  const parent = process.ppid;
  if (parent === 1) return () => {};
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onParentExit();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
