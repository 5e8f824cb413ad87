import { settle } from '@bulwark/testing';

/**
 * Lets pending work run (microtasks and event-loop turns, no timers) until `condition` holds:
 * Web Crypto digests complete off the main thread, so a fixed number of turns is not enough
 * on a busy machine before fake time is advanced.
 */
export async function settleUntil(condition: () => boolean, rounds = 500): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (condition()) return;
    await settle(1);
  }
  throw new Error('condition not reached');
}
