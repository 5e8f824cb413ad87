import { createWebhookVerifier, expressWebhook, verifiedWebhook } from '@bulwark/webhooks';
import express, { type Express } from 'express';

/** What the receiver does with each verified event. */
export type EventHandler = (event: {
  id: string;
  type: string;
  payload: unknown;
  keyId: string;
}) => void | Promise<void>;

/** Options of {@link createReceiver}. */
export interface ReceiverOptions {
  /**
   * The endpoint's signing secrets (`whsec_…`). During a rotation list both the old and the
   * new one: a delivery verifies if it matches either.
   */
  secrets: string[];
  onEvent: EventHandler;
}

/**
 * An Express app that accepts Bulwark deliveries on `POST /webhooks`.
 * Verification runs on the raw bytes (never on re-serialized JSON), rejects stale or replayed
 * messages, and answers RFC 9457 problems for bad signatures. Duplicates (same `webhook-id`,
 * e.g. a redelivery after a lost response) are acknowledged without being processed twice.
 */
export function createReceiver(options: ReceiverOptions): Express {
  const verifier = createWebhookVerifier({
    scheme: 'standard',
    secrets: options.secrets,
    tolerance: { pastSec: 300, futureSec: 60 },
  });
  // Ids of events already handled. Recorded only after the handler succeeded, so a delivery
  // that failed here is processed when Bulwark retries it (same webhook-id on every attempt).
  const processed = new Set<string>();
  const app = express();
  app.post('/webhooks', express.raw({ type: '*/*', limit: '1mb' }), expressWebhook(verifier), async (req, res) => {
    const webhook = verifiedWebhook(req);
    if (!processed.has(webhook.id)) {
      const body = typeof webhook.body === 'string' ? webhook.body : new TextDecoder().decode(webhook.body);
      const { type, payload } = JSON.parse(body) as { type: string; payload: unknown };
      await options.onEvent({ id: webhook.id, type, payload, keyId: webhook.keyId });
      processed.add(webhook.id);
      if (processed.size > 100_000) processed.delete(processed.values().next().value as string);
    }
    res.status(204).end();
  });
  return app;
}
