import type { DeliveryStore, EndpointRecord } from '@bulwark/delivery';
import type { SecretBox } from './secret-box.js';

/** Endpoint records with every signing secret sealed (context: the endpoint id). */
export function sealEndpoint(record: EndpointRecord, box: SecretBox): EndpointRecord {
  return {
    ...record,
    secrets: record.secrets.map((s) => ({ ...s, secret: box.seal(box.open(s.secret, record.id), record.id) })),
  };
}

type Method = (...args: never[]) => unknown;

function openEndpoint(record: EndpointRecord, box: SecretBox): EndpointRecord {
  return { ...record, secrets: record.secrets.map((s) => ({ ...s, secret: box.open(s.secret, record.id) })) };
}

/**
 * Wraps a delivery store so endpoint signing secrets are encrypted at rest (SQLite file or Redis)
 * and decrypted only in memory when the dispatcher signs. Every other call passes through.
 */
export function encryptingStore(store: DeliveryStore, box: SecretBox): DeliveryStore {
  const own: Partial<Record<PropertyKey, unknown>> = {
    saveEndpoint: (record: EndpointRecord) => store.saveEndpoint(sealEndpoint(record, box)),
    getEndpoint: async (id: string) => {
      const record = await store.getEndpoint(id);
      return record && openEndpoint(record, box);
    },
    listEndpoints: async () => (await store.listEndpoints()).map((record) => openEndpoint(record, box)),
  };
  // Methods bound once per function, not on every access: the dispatcher reads `claim`,
  // `complete`, `enqueue`… on every publish and delivery.
  const bound = new WeakMap<Method, Method>();
  return new Proxy(store, {
    get(target, property) {
      if (Object.hasOwn(own, property)) return own[property];
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      let method = bound.get(value as Method);
      if (method === undefined) {
        method = (value as Method).bind(target);
        bound.set(value as Method, method);
      }
      return method;
    },
  });
}
