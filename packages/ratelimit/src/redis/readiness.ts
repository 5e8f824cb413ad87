/** The connection state and events of an ioredis client, as far as the store reads them. */
export interface ClientConnection {
  /** ioredis: `wait` (lazy, not connecting yet), `connecting`, `connect`, `ready`, `reconnecting`, `close`, `end`. */
  readonly status?: string | undefined;
  connect?(): Promise<unknown>;
  once?(event: string, listener: (...args: unknown[]) => void): unknown;
  off?(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** States in which the first connection is still being made: worth waiting for. */
const FIRST_CONNECT = new Set(['wait', 'connecting', 'connect']);

/**
 * Waits for a client's first connection, so a new process's first decisions are made by Redis
 * rather than refused by a client that is not ready yet (the store's client queues nothing).
 * Only the first connection is waited for: once the client has been ready, a client that is
 * not ready fails fast as before (a reconnect after an outage is an outage). A lazy client
 * (`status: 'wait'`) is told to connect. Every waiting decision shares one listener pair; the
 * limiter's deadline still bounds each of them.
 * @internal
 */
export class Readiness {
  #ready = false;
  #pending: Promise<void> | undefined;

  constructor(private readonly client: ClientConnection) {}

  /** Undefined when commands can be sent now (or should fail fast); else a promise of the first `ready`. */
  wait(): Promise<void> | undefined {
    if (this.#ready) return undefined;
    const { client } = this;
    const status = client.status;
    if (status === undefined || status === 'ready' || !FIRST_CONNECT.has(status) || !client.once || !client.off) {
      // Ready, or not an ioredis-like client, or already past the first connection (fail fast).
      this.#ready = status === undefined || status === 'ready' || !FIRST_CONNECT.has(status);
      return undefined;
    }
    this.#pending ??= this.first(client as Required<ClientConnection>);
    return this.#pending;
  }

  private first(client: Required<ClientConnection>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const ready = (): void => {
        done();
        this.#ready = true;
        resolve();
      };
      const failed = (error?: unknown): void => {
        done();
        reject(error instanceof Error ? error : new Error('Redis connection closed before it was ready'));
      };
      const done = (): void => {
        this.#pending = undefined;
        client.off('ready', ready);
        client.off('error', failed);
        client.off('end', failed);
      };
      client.once('ready', ready);
      client.once('error', failed);
      client.once('end', failed);
      if (client.status === 'wait') client.connect().catch(failed);
    });
  }
}
