// The delivery worker thread: its own connection to the delivery store, its own dispatcher,
// claim loop and breakers. It takes the server's dispatcher calls (publish, endpoints, DLQ…)
// and sends back, batched per turn, the replies, the dispatcher's events, its metrics and its
// breakers' transitions and snapshots. Started by `createThreadedDispatcher`.
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '@bulwark/core';
import { createSecretBox } from '../secrets/secret-box.js';
import { buildDispatcher, openDeliveryStore } from './delivery-dispatcher.js';
import {
  type FromThread,
  type Notice,
  serializeError,
  THREAD_METHODS,
  type ThreadData,
  type ToThread,
} from './thread-protocol.js';

if (!parentPort) throw new Error('delivery-thread runs only as a worker thread');
const port = parentPort;
const data = workerData as ThreadData;

const outbox: Notice[] = [];
let flushScheduled = false;
let breakersChanged = false;

function flush(): void {
  flushScheduled = false;
  if (breakersChanged) {
    breakersChanged = false;
    outbox.push({ kind: 'breakers', snapshot: breakers.snapshot() });
  }
  if (outbox.length === 0) return;
  const message: FromThread = { type: 'notices', notices: outbox.splice(0) };
  port.postMessage(message);
}

/** Queues a notice; everything queued in one turn leaves as one message. */
function send(notice: Notice): void {
  outbox.push(notice);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

const keys = data.keys.map((k) => ({ id: k.id, key: Buffer.from(k.key) }));
const box = createSecretBox({
  current: keys[0] as { id: string; key: Buffer },
  byId: new Map(keys.map((k) => [k.id, k])),
  source: 'environment',
});
const store = openDeliveryStore(data.config, box);
const metric =
  (op: 'increment' | 'observe' | 'gauge') =>
  (name: string, value: unknown, labels?: Readonly<Record<string, string>>): void => {
    // increment(name, labels) has no value.
    if (op === 'increment') send({ kind: 'metric', op, name, value: 1, labels: value as typeof labels });
    else send({ kind: 'metric', op, name, value: value as number, labels });
  };
const { dispatcher, breakers } = buildDispatcher({
  config: data.config,
  clock: systemClock,
  store,
  metrics: {
    increment: (name, labels) => metric('increment')(name, labels),
    observe: metric('observe'),
    gauge: metric('gauge'),
  },
  onBreakerMetric: (name, breaker) => {
    send({ kind: 'breaker', name, breaker });
    // Snapshotted at the flush: taking it here would re-enter the breaker mid-transition.
    if (name !== 'breaker.rejections') breakersChanged = true;
  },
});
for (const name of ['attempt', 'deadLetter', 'endpointDisabled'] as const) {
  dispatcher.on(name, (payload) => send({ kind: 'event', name, payload }));
}
dispatcher.on('error', (error) => send({ kind: 'error', error: serializeError(error) }));
// Clock-driven transitions (open → half-open) happen when a breaker is read: read them every second.
const snapshots = setInterval(() => {
  if (breakers.list().length === 0) return;
  breakersChanged = true;
  if (!flushScheduled) flush();
}, 1_000);

type Call = (...args: unknown[]) => Promise<unknown>;
/** Each method of THREAD_METHODS, bound to its owner (`dlq.list` → `dispatcher.dlq.list`). */
const methods = new Map<string, Call>(
  THREAD_METHODS.map((path) => {
    const [first, second] = path.split('.') as [string, string | undefined];
    const owner = (second === undefined ? dispatcher : dispatcher[first as 'dlq' | 'endpoints']) as unknown as Record<
      string,
      Call
    >;
    return [path, (owner[second ?? first] as Call).bind(owner)];
  }),
);

async function close(deadlineMs: number): Promise<void> {
  try {
    await dispatcher.close({ deadlineMs });
    await store.close();
  } catch (error) {
    send({ kind: 'error', error: serializeError(error) });
  }
  clearInterval(snapshots);
  send({ kind: 'closed' });
}

port.on('message', (message: ToThread) => {
  if (message.type === 'calls') {
    for (const { id, method, args } of message.calls) {
      const run = methods.get(method);
      if (run === undefined) {
        send({ kind: 'reply', id, error: { message: `unknown dispatcher method ${method}` } });
        continue;
      }
      run(...args).then(
        (value) => send({ kind: 'reply', id, value }),
        (error: unknown) => send({ kind: 'reply', id, error: serializeError(error) }),
      );
    }
  } else if (message.type === 'start') {
    dispatcher.start();
  } else {
    void close(message.deadlineMs);
  }
});
send({ kind: 'ready' });
