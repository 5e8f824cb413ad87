import type { HttpServerLike, ProcessLike, ServerResponseLike } from '../src/index.js';

/** A response whose `close` the test fires by hand. */
export class FakeResponse implements ServerResponseLike {
  headersSent = false;
  readonly headers = new Map<string, string>();
  #onClose: Array<() => void> = [];
  setHeader(name: string, value: string): void {
    this.headers.set(name, value);
  }
  once(_event: 'close', listener: () => void): void {
    this.#onClose.push(listener);
  }
  finish(): void {
    this.headersSent = true;
    for (const listener of this.#onClose.splice(0)) listener();
  }
}

/** A server that records what the orchestrator asked of it. */
export class FakeServer implements HttpServerLike {
  readonly calls: string[] = [];
  #onRequest: ((request: unknown, response: ServerResponseLike) => void) | undefined;
  #closeCallback: (() => void) | undefined;
  on(_event: 'request', listener: (request: unknown, response: ServerResponseLike) => void): void {
    this.#onRequest = listener;
  }
  request(): FakeResponse {
    const response = new FakeResponse();
    this.#onRequest?.({}, response);
    return response;
  }
  close(callback?: () => void): void {
    this.calls.push('close');
    this.#closeCallback = callback;
  }
  /** The last connection ended: the server's close callback fires. */
  closed(): void {
    this.#closeCallback?.();
  }
  closeIdleConnections(): void {
    this.calls.push('closeIdleConnections');
  }
  closeAllConnections(): void {
    this.calls.push('closeAllConnections');
  }
}

/** A process whose signals the test emits and whose exit it records. */
export class FakeProcess implements ProcessLike {
  readonly exits: number[] = [];
  readonly #listeners = new Map<string, Set<(signal: string) => void>>();
  on(event: string, listener: (signal: string) => void): void {
    const set = this.#listeners.get(event) ?? new Set();
    set.add(listener);
    this.#listeners.set(event, set);
  }
  off(event: string, listener: (signal: string) => void): void {
    this.#listeners.get(event)?.delete(listener);
  }
  emit(signal: string): void {
    for (const listener of this.#listeners.get(signal) ?? []) listener(signal);
  }
  listenerCount(signal: string): number {
    return this.#listeners.get(signal)?.size ?? 0;
  }
  exit(code: number): void {
    this.exits.push(code);
  }
}
