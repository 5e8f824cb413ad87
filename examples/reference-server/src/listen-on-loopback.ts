import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';

/** A server listening on 127.0.0.1 with the port the OS chose. */
export interface LoopbackServer {
  readonly server: ServerType;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Stops accepting connections and resolves once the server is closed. */
  close(): Promise<void>;
}

/** Serves `fetch` on a free loopback port (for the demo, the load test and browser tests). */
export async function listenOnLoopback(
  fetch: (request: Request, env?: unknown) => Response | Promise<Response>,
): Promise<LoopbackServer> {
  const server = serve({ fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
