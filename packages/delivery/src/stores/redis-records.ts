import type { DeliveryRecord, EnqueueLease, NewDelivery } from '../store.js';
import { payloadHash } from './payload-hash.js';

/** A delivery as the Redis store keeps it in `<p>:d` (flat JSON, read by the Lua scripts too). */
export interface StoredDelivery extends DeliveryRecord {
  readonly leaseToken: string | null;
  readonly totalAttempts: number;
  /** Key of the body in `<p>:pl`; absent on records written with the body inline. */
  readonly payloadHash?: string;
}

/** Parses a `<p>:d` value. */
export function parseStored(raw: string): StoredDelivery {
  return JSON.parse(raw) as StoredDelivery;
}

/** A stored record as a {@link DeliveryRecord}, with its body (`body` is ignored for an inline record). */
export function toRecord(stored: StoredDelivery, body: string | null | undefined): DeliveryRecord {
  const { leaseToken: _lease, totalAttempts: _total, payloadHash: hash, ...record } = stored;
  return hash === undefined ? record : { ...record, payload: body ?? '' };
}

/**
 * Encodes deliveries for the ENQUEUE script, bodies apart: `args(from, to)` is that slice's
 * script arguments — the number of distinct bodies, (hash, body) pairs, then per record the fields
 * the script indexes it by and its JSON, which carries only `payloadHash`. A message's deliveries share one string, so it is hashed once.
 * `leaseOf(i)` is the enqueue lease of delivery `i` (one batch may hold several publishes).
 */
export function encodeForEnqueue(
  deliveries: readonly NewDelivery[],
  leaseOf: (index: number) => EnqueueLease | undefined,
): (from: number, to: number) => Array<string | number> {
  const hashes = new Map<string, string>();
  const hashOf = (payload: string): string => {
    let hash = hashes.get(payload);
    if (hash === undefined) {
      hash = payloadHash(payload);
      hashes.set(payload, hash);
    }
    return hash;
  };
  const encoded = deliveries.map((d, i) => {
    const own = leaseOf(i);
    const leased = own?.ids.has(d.id) === true;
    const hash = hashOf(d.payload);
    const status = leased ? 'inflight' : 'pending';
    const nextAt = leased ? (own?.until ?? d.nextAt) : d.nextAt;
    // One literal, not a spread plus the stored fields: adding keys to a spread clone costs µs on Node 20.
    const json = JSON.stringify({
      id: d.id,
      messageId: d.messageId,
      endpointId: d.endpointId,
      eventType: d.eventType,
      payload: '',
      createdAt: d.createdAt,
      payloadHash: hash,
      status,
      attempts: 0,
      totalAttempts: 0,
      lastError: null,
      nextAt,
      updatedAt: leased ? own?.now : d.createdAt,
      leaseToken: leased ? own?.token : null,
    });
    // What the script indexes the record by, beside it: the script stores the JSON undecoded.
    return [d.id, d.endpointId, d.messageId, nextAt, status, hash, json] as const;
  });
  return (from, to) => {
    const bodies = new Map<string, string>();
    for (const d of deliveries.slice(from, to)) bodies.set(hashOf(d.payload), d.payload);
    return [bodies.size, ...[...bodies].flat(), ...encoded.slice(from, to).flat()];
  };
}
