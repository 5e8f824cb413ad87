import type { Redis } from 'ioredis';

/** Resolves once the client is connected and ready (used after a restart). */
export async function waitReady(client: Redis, timeoutMs = 5_000): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`client not ready after ${timeoutMs} ms (${client.status})`)),
      timeoutMs,
    );
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
