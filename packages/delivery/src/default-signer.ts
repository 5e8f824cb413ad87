import { createKeyring, createWebhookSigner, type WebhookSigner } from '@bulwark/webhooks';
import type { StoredSecret } from './store.js';

/** Signs a delivery: returns the headers to send (`webhook-id`, `webhook-timestamp`, `webhook-signature`). */
export type Signer = (input: {
  /** The message id, sent as `webhook-id`. */
  readonly id: string;
  /** Unix seconds of this attempt. */
  readonly timestamp: number;
  readonly body: string;
  /** The endpoint's secrets; those with `expiresAt` stop signing then (rotation overlap). */
  readonly secrets: readonly StoredSecret[];
  /** Epoch ms of this attempt. */
  readonly now: number;
}) => Promise<Record<string, string>>;

/**
 * Standard Webhooks signing with `@bulwark/webhooks`: one `v1,<base64>` HMAC-SHA256 signature per
 * live secret (the old and the new one during a rotation overlap), `webhook-id` = message id.
 * Signers are cached per secret set.
 *
 * @example
 * ```ts
 * createDispatcher({ store, sign: createStandardSigner() });
 * ```
 */
export function createStandardSigner(): Signer {
  const cache = new Map<string, WebhookSigner>();
  // The signer reads the clock synchronously when it picks live keys, so one shared value is safe.
  let current = 0;
  const clock = { now: () => current };
  return async ({ id, timestamp, body, secrets, now }) => {
    const key = secrets.map((s) => `${s.secret}@${s.expiresAt ?? ''}`).join(' ');
    let signer = cache.get(key);
    if (!signer) {
      const keyring = createKeyring(
        secrets.map((s, i) =>
          s.expiresAt === null
            ? { id: `k${i}`, secret: s.secret }
            : { id: `k${i}`, secret: s.secret, notAfter: s.expiresAt },
        ),
      );
      signer = createWebhookSigner({ scheme: 'standard', secrets: keyring, clock });
      if (cache.size >= 1000) cache.clear();
      cache.set(key, signer);
    }
    current = now;
    return { ...(await signer.sign({ id, timestamp, body })) };
  };
}
