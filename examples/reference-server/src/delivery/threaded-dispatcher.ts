import type { Worker } from 'node:worker_threads';
import type { BreakerMetricName, RegistrySnapshot } from '@bulwark/breaker';
import {
  DeliveryError,
  type DeliveryMetrics,
  type Dispatcher,
  type DispatcherEvents,
  type DlqApi,
  type EndpointsApi,
} from '@bulwark/delivery';
import type { Logger } from 'pino';
import type { BreakerView } from './delivery-dispatcher.js';
import { spawnThread } from './spawn-thread.js';
import {
  type FromThread,
  type Notice,
  reviveError,
  type ThreadData,
  type ThreadMethod,
  type ToThread,
} from './thread-protocol.js';

/** A dispatcher whose store connection, claim loop and attempts run in a worker thread. */
export interface ThreadedDispatcher extends Dispatcher {
  /** The thread's breakers, as of its last snapshot (sent on every transition and every second). */
  readonly breakers: BreakerView;
  /** Whether the thread is running and has opened its store (readiness fails otherwise). */
  ready(): boolean;
  /** How many times the thread stopped unexpectedly and was started again. */
  restarts(): number;
  /** Resolves `true` once the thread is ready, or `false` after `timeoutMs` (`main` waits for it before serving). */
  whenReady(timeoutMs: number): Promise<boolean>;
}

/** Options of {@link createThreadedDispatcher}. */
export interface ThreadedDispatcherOptions {
  readonly data: ThreadData;
  /** Where the thread's delivery metrics go (prom-client). */
  readonly metrics: DeliveryMetrics;
  /** Told every breaker transition in the thread. */
  readonly onBreakerMetric: (name: BreakerMetricName, breaker: string) => void;
  readonly logger: Logger;
  /**
   * Wait before a thread that stopped unexpectedly is started again; doubled after each stop of
   * a thread that ran less than a minute (one that cannot open its store), up to 30 s.
   * @defaultValue 1000
   */
  readonly restartDelayMs?: number;
  /** The thread's module. @defaultValue `./delivery-thread.ts` */
  readonly entry?: URL;
}

type Listener = (payload: never) => void;

/**
 * Runs delivery in a `node:worker_threads` thread with its own store connection, so claims,
 * attempts, completions and outbox commits do not share the request path's event loop. Every
 * dispatcher call is sent to the thread (batched per turn) and resolves with its reply —
 * `publish` only once the thread's store committed the outbox rows. The thread's events,
 * metrics and breaker transitions arrive here. A thread that stops unexpectedly fails the
 * calls in flight (`delivery_store_unavailable`, 503) and is started again after
 * `restartDelayMs`; its leases expire and are claimed again, as a crashed process's would.
 */
export function createThreadedDispatcher(options: ThreadedDispatcherOptions): ThreadedDispatcher {
  const { data, metrics, logger } = options;
  const entry = options.entry ?? new URL('./delivery-thread.ts', import.meta.url);
  const listeners = new Map<keyof DispatcherEvents, Set<Listener>>();
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let queued: Array<{ id: number; method: ThreadMethod; args: unknown[] }> = [];
  let flushScheduled = false;
  let sequence = 0;
  let worker: Worker | undefined;
  let ready = false;
  let started = false;
  let closed = false;
  let restarts = 0;
  /** Stops in a row of threads that ran less than a minute: each doubles the wait before the next start. */
  let quickStops = 0;
  let launchedAt = 0;
  let restartTimer: ReturnType<typeof setTimeout> | undefined;
  const readyWaiters = new Set<() => void>();
  let snapshot: RegistrySnapshot = { healthy: true, takenAtMs: Date.now(), breakers: {} };

  function emit(name: keyof DispatcherEvents, payload: unknown): void {
    for (const listener of listeners.get(name) ?? []) {
      try {
        (listener as (p: unknown) => void)(payload);
      } catch {
        // A listener must not break delivery.
      }
    }
  }

  function handle(worker: Worker, notice: Notice): void {
    switch (notice.kind) {
      case 'ready':
        ready = true;
        for (const wake of readyWaiters) wake();
        readyWaiters.clear();
        return;
      case 'reply': {
        const call = pending.get(notice.id);
        pending.delete(notice.id);
        if (notice.error) call?.reject(reviveError(notice.error));
        else call?.resolve(notice.value);
        return;
      }
      case 'event':
        emit(notice.name, Object.freeze(notice.payload));
        return;
      case 'error':
        emit('error', reviveError(notice.error));
        return;
      case 'metric':
        if (notice.op === 'increment') metrics.increment(notice.name, notice.labels);
        else metrics[notice.op](notice.name, notice.value, notice.labels);
        return;
      case 'breaker':
        options.onBreakerMetric(notice.name, notice.breaker);
        return;
      case 'breakers':
        snapshot = notice.snapshot;
        return;
      case 'closed':
        void worker.terminate();
    }
  }

  function failPending(error: Error): void {
    const calls = [...pending.values()];
    pending.clear();
    for (const call of calls) call.reject(error);
  }

  function launch(): void {
    restartTimer = undefined;
    launchedAt = Date.now();
    const thread = spawnThread(entry, data);
    worker = thread;
    thread.on('message', (message: FromThread) => {
      for (const notice of message.notices) handle(thread, notice);
    });
    thread.on('error', (error) => logger.error({ err_message: error.message }, 'delivery thread failed'));
    thread.on('exit', (code) => {
      if (worker !== thread) return;
      worker = undefined;
      ready = false;
      failPending(
        closed
          ? new DeliveryError('delivery_closed', { detail: 'the dispatcher was closed' })
          : new DeliveryError('delivery_store_unavailable', { detail: 'the delivery thread stopped' }),
      );
      if (closed) return;
      restarts++;
      quickStops = Date.now() - launchedAt < 60_000 ? quickStops + 1 : 1;
      const delayMs = Math.min(30_000, (options.restartDelayMs ?? 1_000) * 2 ** (quickStops - 1));
      logger.error(
        { event: 'delivery_thread_exit', code, restarts, delayMs },
        'delivery thread stopped; starting it again',
      );
      restartTimer = setTimeout(launch, delayMs);
    });
    if (started) post({ type: 'start' });
  }

  function post(message: ToThread): void {
    worker?.postMessage(message);
  }

  function flush(): void {
    flushScheduled = false;
    const calls = queued;
    queued = [];
    if (calls.length > 0) post({ type: 'calls', calls });
  }

  function call<T>(method: ThreadMethod, ...args: unknown[]): Promise<T> {
    if (closed) return Promise.reject(new DeliveryError('delivery_closed', { detail: `${method}() after close()` }));
    if (!worker) {
      return Promise.reject(
        new DeliveryError('delivery_store_unavailable', { detail: 'the delivery thread is restarting' }),
      );
    }
    const id = ++sequence;
    queued.push({ id, method, args });
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
  }

  const endpoints: EndpointsApi = {
    create: (input) => call('endpoints.create', input),
    update: (id, changes) => call('endpoints.update', id, changes),
    get: (id) => call('endpoints.get', id),
    list: () => call('endpoints.list'),
    delete: (id) => call('endpoints.delete', id),
    enable: (id) => call('endpoints.enable', id),
    disable: (id) => call('endpoints.disable', id),
    rotateSecret: (id, rotation) => call('endpoints.rotateSecret', id, rotation),
  };
  const dlq: DlqApi = {
    stats: () => call('dlq.stats'),
    list: (query) => call('dlq.list', query),
    requeue: (selector) => call('dlq.requeue', selector),
  };
  launch();
  return {
    endpoints,
    dlq,
    breakers: { snapshot: () => snapshot },
    ready: () => ready,
    restarts: () => restarts,
    whenReady(timeoutMs) {
      if (ready) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          readyWaiters.delete(wake);
          resolve(false);
        }, timeoutMs);
        const wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
        readyWaiters.add(wake);
      });
    },
    publish: (event) => call('publish', event),
    redeliver: (messageId) => call('redeliver', messageId),
    inspect: (messageId) => call('inspect', messageId),
    stats: () => call('stats'),
    prune: (pruneOptions) => call('prune', pruneOptions),
    idle: () => call('idle'),
    start() {
      if (closed) throw new DeliveryError('delivery_closed', { detail: 'start() after close()' });
      started = true;
      post({ type: 'start' });
    },
    on(name, listener) {
      const set = listeners.get(name) ?? new Set<Listener>();
      listeners.set(name, set);
      set.add(listener as Listener);
      return () => set.delete(listener as Listener);
    },
    async close(closeOptions = {}) {
      if (closed) return;
      closed = true;
      if (restartTimer !== undefined) clearTimeout(restartTimer);
      const thread = worker;
      if (!thread) return;
      flush();
      const deadlineMs = closeOptions.deadlineMs ?? 10_000;
      const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
      post({ type: 'close', deadlineMs });
      // The thread hands its leases back within the deadline; one that does not answer is stopped.
      const timer = setTimeout(() => void thread.terminate(), deadlineMs + 2_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
