import type { Dispatcher, PublishInput, PublishResult } from '@bulwark/delivery';
import { isBulwarkError } from '@bulwark/errors';
import { fingerprintOf, type Idempotency } from '@bulwark/idempotency';
import { type RateLimiter, ratelimitErrors } from '@bulwark/ratelimit';
import type { Principal } from '../auth/principal.js';
import { serverErrors } from '../server-errors.js';
import type { StorageUsage } from './storage-usage.js';

/** Publishing with the server's guarantees: per-key rate, storage budget and event-id integrity. */
export type Publisher = (
  principal: Principal,
  body: unknown,
  bytes: number,
) => Promise<PublishResult & { replayed: boolean }>;

// Event ids are one namespace for every publisher: the delivery outbox deduplicates on them.
const EVENT_ID_SCOPE = 'event-id';

/**
 * Builds the publish path. In order: the key's publish rate (429), its storage budget and that
 * of every endpoint the event is for (507), then — when the event carries an `id` — at most one publish per id: the same id with the same
 * type and payload replays the first result; with another payload it is refused (409) instead of
 * being silently dropped in favour of the first.
 */
export function createPublisher(options: {
  dispatcher: Dispatcher;
  eventIds: Idempotency;
  limiter: RateLimiter;
  usage: StorageUsage;
  budgetBytes: number;
  /** Budget of each endpoint's queued events (STORAGE_BUDGET_BYTES_PER_ENDPOINT). */
  endpointBudgetBytes: number;
  /** Ids of the endpoints an event of `type` would be queued for. */
  targets: (type: string) => Promise<readonly string[]>;
}): Publisher {
  const { dispatcher, eventIds, limiter, usage, budgetBytes, endpointBudgetBytes, targets } = options;
  return async (principal, body, bytes) => {
    // The dispatcher validates the event strictly; here only its id matters.
    const event = body as PublishInput;
    const id = typeof body === 'object' && body !== null ? (body as { id?: unknown }).id : undefined;
    const decision = await limiter.limit(`publish:${principal.subject}`);
    if (!decision.allowed) {
      const code = decision.reason === 'limited' ? 'rate_limit_exceeded' : 'rate_limiter_unavailable';
      throw ratelimitErrors.err(code, { extensions: { retryAfterMs: Math.max(decision.retryAfterMs, 1_000) } });
    }
    const endpointIds = typeof event.type === 'string' ? await targets(event.type) : [];
    const held = await usage.held(principal.subject, endpointIds);
    if (held.key + bytes > budgetBytes) {
      throw serverErrors.err('storage_quota_exceeded', {
        detail: 'This key already holds its storage budget of pending events (STORAGE_BUDGET_BYTES_PER_KEY)',
        extensions: { retryAfterMs: 60_000 },
      });
    }
    for (const endpointBytes of held.endpoints) {
      if (endpointBytes + bytes > endpointBudgetBytes) {
        throw serverErrors.err('storage_quota_exceeded', {
          detail:
            'An endpoint this event is for already holds its storage budget of queued events (STORAGE_BUDGET_BYTES_PER_ENDPOINT)',
          extensions: { retryAfterMs: 60_000 },
        });
      }
    }
    // The ledger write is queued, not awaited, inside the run: with a group-commit queue it then
    // shares one commit with the event id's result (queued in the same turn) instead of taking
    // a turn and a commit of its own. The caller is answered only once it is committed too.
    let added: Promise<void> | undefined;
    const publish = async (): Promise<PublishResult> => {
      const result = await dispatcher.publish(event);
      // Delivery ids are `<messageId>:<endpointId>`; an event no endpoint takes holds nothing.
      const endpointIds = result.deliveryIds.map((id) => id.slice(result.messageId.length + 1));
      if (endpointIds.length > 0) {
        added = usage.add(principal.subject, result.messageId, bytes, endpointIds);
        added.catch(() => {}); // awaited below; this only keeps an early exit from leaving it unhandled
      }
      return { messageId: result.messageId, deliveryIds: [...result.deliveryIds] };
    };
    if (typeof id !== 'string') {
      const result = await publish();
      await added;
      return { ...result, replayed: false };
    }
    try {
      const fingerprint = await fingerprintOf({ type: event.type, payload: event.payload ?? null });
      const run = await eventIds.run(id, publish, { principal: EVENT_ID_SCOPE, fingerprint });
      await added;
      return { ...run.value, replayed: run.replayed };
    } catch (error) {
      if (isBulwarkError(error) && error.code === 'idempotency_key_reused') {
        throw serverErrors.err('event_id_conflict', {
          detail: 'This event id was already published with a different type or payload; use a new id',
        });
      }
      throw error;
    }
  };
}
