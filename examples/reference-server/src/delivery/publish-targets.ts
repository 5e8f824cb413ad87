import type { Clock } from '@bulwark/core';
import type { Dispatcher } from '@bulwark/delivery';

/** How long the endpoint list behind the per-endpoint budget check is reused. */
const TTL_MS = 1_000;

/**
 * The ids of the endpoints an event type would be queued for (enabled, subscribed to the type or
 * to every type), as the dispatcher chooses them; the list is read at most once per second, so
 * the budget check costs no store read per publish.
 */
export function createTargets(dispatcher: Dispatcher, clock: Clock): (type: string) => Promise<readonly string[]> {
  let cached: { at: number; endpoints: Awaited<ReturnType<Dispatcher['endpoints']['list']>> } | undefined;
  return async (type) => {
    const now = clock.now();
    if (!cached || now - cached.at >= TTL_MS) cached = { at: now, endpoints: await dispatcher.endpoints.list() };
    return cached.endpoints
      .filter((ep) => ep.enabled && (ep.eventTypes === null || ep.eventTypes.includes(type)))
      .map((ep) => ep.id);
  };
}
