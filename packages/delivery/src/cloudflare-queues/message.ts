import type { QueueDeliveryMessage } from './types.js';

const FIELDS = ['v', 'messageId', 'endpointId', 'type', 'payload'] as const;

/** Far above any retry schedule; a larger `prior` is not something this package wrote. */
const MAX_PRIOR = 10_000;

function text(value: unknown, max: number, min = 1): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

/**
 * Parses a queued delivery's body strictly (exactly the fields of {@link QueueDeliveryMessage},
 * bounded strings, `v: 1`, an optional integer `prior` in [0, 10 000]); `undefined` for anything else. Hand-written rather than zod so the
 * Workers bundle stays small.
 * @internal
 */
export function parseQueueDeliveryMessage(body: unknown): QueueDeliveryMessage | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const keys = Object.keys(b);
  const withPrior = Object.hasOwn(b, 'prior');
  if (keys.length !== FIELDS.length + (withPrior ? 1 : 0) || !FIELDS.every((f) => Object.hasOwn(b, f)))
    return undefined;
  if (b.v !== 1 || !text(b.messageId, 256) || !text(b.endpointId, 256) || !text(b.type, 256)) return undefined;
  if (!text(b.payload, 1_000_000, 0)) return undefined;
  const message = { v: 1, messageId: b.messageId, endpointId: b.endpointId, type: b.type, payload: b.payload } as const;
  if (!withPrior) return message;
  const prior = b.prior;
  if (typeof prior !== 'number' || !Number.isInteger(prior) || prior < 0 || prior > MAX_PRIOR) return undefined;
  return { ...message, prior };
}
