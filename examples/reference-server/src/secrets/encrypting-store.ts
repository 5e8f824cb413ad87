import type { DeliveryStore, EndpointRecord } from '@bulwark/delivery';
import type { SecretBox } from './secret-box.js';

/** Endpoint records with every signing secret sealed (context: the endpoint id). */
export function sealEndpoint(record: EndpointRecord, box: SecretBox): EndpointRecord {
  return {
    ...record,
    secrets: record.secrets.map((s) => ({ ...s, secret: box.seal(box.open(s.secret, record.id), record.id) })),
  };
}

function openEndpoint(record: EndpointRecord, box: SecretBox): EndpointRecord {
  return { ...record, secrets: record.secrets.map((s) => ({ ...s, secret: box.open(s.secret, record.id) })) };
}

/**
 * Wraps a delivery store so endpoint signing secrets are encrypted at rest (SQLite file or Redis)
 * and decrypted only in memory when the dispatcher signs. Every other call passes through.
 */
export function encryptingStore(store: DeliveryStore, box: SecretBox): DeliveryStore {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'saveEndpoint') {
        return (record: EndpointRecord) => target.saveEndpoint(sealEndpoint(record, box));
      }
      if (property === 'getEndpoint') {
        return async (id: string) => {
          const record = await target.getEndpoint(id);
          return record && openEndpoint(record, box);
        };
      }
      if (property === 'listEndpoints') {
        return async () => (await target.listEndpoints()).map((record) => openEndpoint(record, box));
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
