/** The part of a `node:http` response the drain needs. */
export interface ServerResponseLike {
  readonly headersSent: boolean;
  setHeader(name: string, value: string): unknown;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * The part of a `node:http` / `node:https` server the orchestrator needs: the servers returned by
 * `http.createServer`, Express's `app.listen`, Fastify's `fastify.server` and Hono's `serve()`.
 */
export interface HttpServerLike {
  on(event: 'request', listener: (request: unknown, response: ServerResponseLike) => void): unknown;
  close(callback?: (error?: Error) => void): unknown;
  closeIdleConnections?(): void;
  closeAllConnections?(): void;
}

/**
 * Tracks one server's in-flight requests so a shutdown can stop accepting, let every request
 * finish, and only then close; responses written while draining carry `Connection: close` so
 * keep-alive clients reconnect elsewhere instead of having their next request reset.
 */
export class ServerDrain {
  readonly name: string;
  readonly #server: HttpServerLike;
  readonly #inFlight = new Set<ServerResponseLike>();
  #draining = false;
  #idle: (() => void) | undefined;

  constructor(server: HttpServerLike, name: string) {
    this.#server = server;
    this.name = name;
    server.on('request', (_request, response) => this.#track(response));
  }

  /** Requests received and not yet answered. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** From now on every response asks the client to close its connection. */
  beginDrain(): void {
    this.#draining = true;
    for (const response of this.#inFlight) markClose(response);
  }

  /**
   * Stops accepting connections, waits for in-flight requests, then for the server to close.
   * Never rejects: a server that was not listening counts as closed.
   */
  async close(): Promise<void> {
    this.beginDrain();
    const closed = new Promise<void>((resolve) => {
      try {
        this.#server.close(() => resolve());
      } catch {
        resolve();
      }
    });
    this.#server.closeIdleConnections?.();
    if (this.#inFlight.size > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    this.#server.closeIdleConnections?.();
    await closed;
  }

  /** Destroys every connection (the deadline passed). */
  forceClose(): void {
    this.#server.closeAllConnections?.();
  }

  #track(response: ServerResponseLike): void {
    this.#inFlight.add(response);
    if (this.#draining) markClose(response);
    response.once('close', () => {
      this.#inFlight.delete(response);
      if (this.#inFlight.size > 0) return;
      // Let the finished response's socket go idle before idle connections are closed.
      const idle = this.#idle;
      this.#idle = undefined;
      if (idle) queueMicrotask(idle);
    });
  }
}

function markClose(response: ServerResponseLike): void {
  if (!response.headersSent) response.setHeader('connection', 'close');
}
