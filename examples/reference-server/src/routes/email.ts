import { suppressionsFromEvents } from '@bulwark/email';
import { emailMessageSchema } from '@bulwark/email/schema';
import { type EmailWebhookProvider, parseEmailWebhook } from '@bulwark/email/webhooks';
import { err } from '@bulwark/errors';
import type { ReplayStore } from '@bulwark/webhooks';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, AppServices } from '../app-context.js';
import { requireAccess } from '../auth/require-access.js';
import { bodySizeLimit } from '../body-size-limit.js';
import { peerAddress } from '../client-address.js';
import { readJson } from '../read-json.js';
import { serverErrors } from '../server-errors.js';

const MAX_BODY_BYTES = 1024 * 1024;
const providerParam = z.enum(['resend', 'postmark', 'sendgrid', 'ses', 'mailgun']);
const tooLarge = () => {
  throw err('payload_too_large', { detail: `Bodies are limited to ${MAX_BODY_BYTES} bytes` });
};

/** `POST /email/send`, `POST /webhooks/email/:provider`, `GET /admin/email/events`. */
export function emailRoutes(app: Hono<AppEnv>, services: AppServices): void {
  const { email, metrics, logger, clock } = services;
  if (!email) return;
  services.features.add('email');

  const senderDomains = new Set(services.config.EMAIL_SENDER_DOMAINS);
  app.post(
    '/email/send',
    requireAccess(services, 'email:send'),
    bodySizeLimit(MAX_BODY_BYTES, tooLarge),
    services.idempotencyKeys,
    async (c) => {
      const message = emailMessageSchema.parse(await readJson(c));
      const domain = message.from.email.slice(message.from.email.lastIndexOf('@') + 1).toLowerCase();
      if (!senderDomains.has(domain)) {
        throw serverErrors.err('sender_not_allowed', {
          detail: `\`from\` must be an address in ${[...senderDomains].join(', ')} (EMAIL_SENDER_DOMAINS)`,
        });
      }
      // Suppressed recipients are dropped without saying which: naming them would tell any sender
      // who bounced or complained.
      const all = [...message.to, ...(message.cc ?? []), ...(message.bcc ?? [])].map((address) => address.email);
      const suppressed = new Set(email.store.suppressed(all));
      const keep = (list: typeof message.to | undefined) => (list ?? []).filter((a) => !suppressed.has(a.email));
      const to = keep(message.to);
      const cc = keep(message.cc);
      const bcc = keep(message.bcc);
      if (suppressed.size > 0) metrics.events.inc({ name: 'email.recipients_suppressed' });
      if (to.length === 0) {
        return c.json({ sent: false, detail: 'No deliverable recipient: nothing was sent.' }, 202);
      }
      const result = await email.sender.send({ ...message, to, cc, bcc });
      metrics.events.inc({ name: 'email.sent' });
      return c.json(
        { sent: true, provider: result.provider, messageId: result.messageId, acceptedAt: result.acceptedAt },
        202,
      );
    },
  );

  app.post('/webhooks/email/:provider', bodySizeLimit(MAX_BODY_BYTES, tooLarge), async (c) => {
    const provider: EmailWebhookProvider = providerParam.parse(c.req.param('provider'));
    const settings = email.webhooks[provider];
    if (!settings) throw err('not_found', { detail: `Webhook ingestion for ${provider} is not configured` });
    const rawBody = new Uint8Array(await c.req.arrayBuffer());
    const headers = Object.fromEntries(c.req.raw.headers.entries());
    const remoteAddress = peerAddress(c);
    // A provider retrying a delivery we already processed is not an attack: the signature verified
    // and only the replay store refused it. Acknowledge it (200) instead of answering 401.
    let duplicate = false;
    const replayStore = (settings as { replayStore?: ReplayStore }).replayStore;
    const tracked = replayStore && {
      ...settings,
      replayStore: {
        claim: async (key: string, ttlMs: number) => {
          const fresh = await replayStore.claim(key, ttlMs);
          if (!fresh) duplicate = true;
          return fresh;
        },
      },
    };
    let events: Awaited<ReturnType<typeof parseEmailWebhook>>;
    try {
      events = await parseEmailWebhook(
        provider,
        { headers, rawBody, ...(remoteAddress ? { remoteAddress } : {}) },
        (tracked ?? settings) as never,
      );
    } catch (error) {
      if (!duplicate) throw error;
      metrics.events.inc({ name: 'email.webhook_duplicate' });
      logger.info({ provider }, 'duplicate email webhook acknowledged');
      return c.json({ received: 0, stored: 0, suppressed: 0, duplicate: true });
    }
    if (events.subscriptionConfirmation) {
      logger.warn(
        { provider, topicArn: events.subscriptionConfirmation.topicArn },
        'SNS subscription confirmation received; confirm it to start receiving events',
      );
    }
    const now = new Date(clock.now());
    const fresh = email.store.addEvents(events, now);
    const suppressedCount = email.store.addSuppressions(suppressionsFromEvents(fresh), now);
    for (const event of fresh) {
      if (event.type === 'bounced') metrics.events.inc({ name: 'email.bounced' });
      if (event.type === 'complained') metrics.events.inc({ name: 'email.complaint' });
    }
    logger.info(
      { provider, events: events.length, stored: fresh.length, suppressed: suppressedCount },
      'email webhook ingested',
    );
    return c.json({ received: events.length, stored: fresh.length, suppressed: suppressedCount });
  });

  app.get('/admin/email/events', (c) => {
    const limit = z.coerce.number().int().min(1).max(500).default(50).parse(c.req.query('limit'));
    return c.json({ events: email.store.recentEvents(limit), suppressions: email.store.suppressionCount() });
  });
}
