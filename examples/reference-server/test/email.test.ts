import { createWebhookSigner, generateSecret } from '@bulwark/webhooks';
import { describe, expect, it } from 'vitest';
import { buildTestApp } from './helpers.js';

// A Resend `email.bounced` payload, as documented at
// https://resend.com/docs/dashboard/webhooks/event-types
const bounced = (to: string, emailId: string) => ({
  type: 'email.bounced',
  created_at: '2026-11-22T00:00:01.000Z',
  data: {
    created_at: '2026-11-22T00:00:00.000Z',
    email_id: emailId,
    from: 'Acme <onboarding@resend.dev>',
    to: [to],
    subject: 'Welcome',
    bounce: { message: 'Mailbox does not exist', subType: 'General', type: 'Permanent' },
  },
});

const message = (to: string) => ({ from: 'hello@acme.test', to, subject: 'Welcome', text: 'Hi' });

describe('reference server: email', () => {
  const secret = generateSecret();
  const env = { RESEND_WEBHOOK_SECRET: secret };

  async function postResend(
    request: ReturnType<typeof buildTestApp>['request'],
    payload: unknown,
    id: string,
    clockMs: number,
  ) {
    const body = JSON.stringify(payload);
    const headers = await createWebhookSigner({ scheme: 'standard', secrets: [secret] }).sign({
      body,
      id,
      timestamp: Math.floor(clockMs / 1000),
    });
    return request('/webhooks/email/resend', {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body,
    });
  }

  it('sends through the simulated provider by default', async () => {
    const { request, services } = buildTestApp(env);
    const response = await request('/email/send', {
      admin: true,
      method: 'POST',
      body: JSON.stringify(message('ada@example.com')),
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ provider: 'simulated', messageId: expect.any(String) });
    expect(services.email?.sender.name).toBeDefined();
  });

  it('rejects an invalid message with validation_failed pointers', async () => {
    const { request } = buildTestApp(env);
    const response = await request('/email/send', {
      admin: true,
      method: 'POST',
      body: JSON.stringify({ from: 'x', subject: 1 }),
    });
    expect(response.status).toBe(422);
    const problem = await response.json();
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors.length).toBeGreaterThan(0);
  });

  it('ingests a verified bounce once (replays refused), suppresses the address and counts email.bounced', async () => {
    const { request, clock } = buildTestApp(env);
    const first = await postResend(request, bounced('Dead@Example.com', 'em_1'), 'msg_1', clock.now());
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: 1, stored: 1, suppressed: 1 });

    // A provider retry of the same signed message is acknowledged as a duplicate and stores nothing.
    const again = await postResend(request, bounced('Dead@Example.com', 'em_1'), 'msg_1', clock.now());
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: 0, stored: 0, suppressed: 0, duplicate: true });
    // ...but only a correctly signed one: the same id with substituted data is still refused.
    const signed = await createWebhookSigner({ scheme: 'standard', secrets: [secret] }).sign({
      body: JSON.stringify(bounced('Dead@Example.com', 'em_1')),
      id: 'msg_1',
      timestamp: Math.floor(clock.now() / 1000),
    });
    const substituted = await request('/webhooks/email/resend', {
      method: 'POST',
      headers: { ...signed, 'content-type': 'application/json' },
      body: JSON.stringify(bounced('victim@example.com', 'em_1')),
    });
    expect(substituted.status).toBe(401);

    const events = await (await request('/admin/email/events', { admin: true })).json();
    expect(events.events).toEqual([
      expect.objectContaining({ type: 'bounced', recipient: 'dead@example.com', bounceKind: 'hard' }),
    ]);
    expect(events.suppressions).toBe(1);

    const blocked = await request('/email/send', {
      admin: true,
      method: 'POST',
      body: JSON.stringify(message('dead@example.com')),
    });
    // Accepted and not sent, without naming the suppressed recipient (no oracle for who bounced).
    expect(blocked.status).toBe(202);
    const answer = await blocked.text();
    expect(JSON.parse(answer)).toMatchObject({ sent: false });
    expect(answer).not.toContain('dead@example.com');

    expect(await (await request('/metrics', { admin: true })).text()).toContain(
      'bulwark_events_total{name="email.bounced"} 1',
    );
  });

  it('stores nothing from an unverifiable webhook', async () => {
    const { request } = buildTestApp(env);
    const response = await request('/webhooks/email/resend', {
      method: 'POST',
      headers: { 'webhook-id': 'msg_x', 'webhook-timestamp': '1', 'webhook-signature': 'v1,AAAA' },
      body: JSON.stringify(bounced('a@example.com', 'em_2')),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect((await response.json()).code).toMatch(/^email_webhook_/);
    expect((await (await request('/admin/email/events', { admin: true })).json()).events).toEqual([]);
  });

  it('answers 404 for providers without configured credentials and 422 for unknown providers', async () => {
    const { request } = buildTestApp(env);
    expect((await request('/webhooks/email/postmark', { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await request('/webhooks/email/acme', { method: 'POST', body: '{}' })).status).toBe(422);
  });
});
