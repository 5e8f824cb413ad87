import type { FakeClock } from '@bulwark/testing';
import { DeliveryError } from '../src/errors/delivery-error.js';
import type { DeliveryMetrics, MetricLabels } from '../src/metrics.js';
import type { Transport, TransportRequest, TransportResponse } from '../src/transport.js';

/** A scripted answer: a response, a thrown error, or `hang` (until the request times out or aborts). */
export type Script = Partial<TransportResponse> | Error | 'hang';

export interface ScriptedTransport extends Transport {
  readonly calls: Array<TransportRequest & { at: number }>;
}

/** A transport whose answers come from `script(request, callIndex)`; time comes from the fake clock. */
export function scriptedTransport(
  clock: FakeClock,
  script: (req: TransportRequest, n: number) => Script,
): ScriptedTransport {
  const calls: Array<TransportRequest & { at: number }> = [];
  return {
    mode: 'real',
    calls,
    async close() {},
    async send(req) {
      calls.push({ ...req, at: clock.now() });
      const answer = script(req, calls.length - 1);
      if (answer instanceof Error) throw answer;
      if (answer === 'hang') {
        return new Promise<TransportResponse>((_, reject) => {
          const handle = clock.setTimeout(() => reject(new DeliveryError('delivery_timeout')), req.timeoutMs);
          req.signal?.addEventListener('abort', () => {
            clock.clearTimeout(handle);
            reject(req.signal?.reason);
          });
        });
      }
      return { status: 200, retryAfter: null, body: 'ok', ...answer };
    },
  };
}

export interface RecordingMetrics extends DeliveryMetrics {
  readonly counters: Map<string, number>;
  readonly gauges: Map<string, number>;
  readonly observations: Array<{ name: string; value: number; labels: MetricLabels | undefined }>;
}

export function recordingMetrics(): RecordingMetrics {
  const counters = new Map<string, number>();
  const gauges = new Map<string, number>();
  const observations: RecordingMetrics['observations'] = [];
  return {
    counters,
    gauges,
    observations,
    increment: (name) => {
      counters.set(name, (counters.get(name) ?? 0) + 1);
    },
    gauge: (name, value, labels) => {
      gauges.set(labels?.endpoint ? `${name}{${labels.endpoint}}` : name, value);
    },
    observe: (name, value, labels) => {
      observations.push({ name, value, labels });
    },
  };
}
