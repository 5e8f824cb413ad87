// The views: one function per card, each reading its admin route and filling the card.
import { AuthError, api, post } from './api.js';
import { renderCharts } from './charts.js';
import { $, actions, ago, duration, el, empty, fill, pill, serverClock, status, table } from './dom.js';

const problemBase = document.body.dataset.problemBase || '';
/** What the lifecycle shares with the views: enabled features, the charted history path, and its hooks. */
export const state = {
  features: new Set(),
  chartedPath: null,
  endpointUrls: new Map(),
  signOut: () => {},
  refresh: () => {},
};

export const views = {
  async history() {
    const windowName = $('window').value;
    const path = `/admin/history?window=${windowName}`;
    const res = await api(path);
    // Unchanged and already drawn: no redraw. (The other views re-render their kept body on a
    // 304, so that relative times move on.)
    if (res.notModified && state.chartedPath === path) return;
    state.chartedPath = path;
    renderCharts(res.body, state.endpointUrls);
  },
  async endpoints() {
    if (!state.features.has('delivery'))
      return fill('endpoints', empty('Webhook delivery is not enabled on this server.'));
    const { body } = await api('/admin/dashboard/endpoints');
    state.endpointUrls = new Map(body.endpoints.map((e) => [e.id, e.url]));
    if (body.endpoints.length === 0)
      return fill('endpoints', empty('No endpoints yet. Create one with POST /admin/endpoints.'));
    const breakerTone = { closed: 'ok', half_open: 'warn', open: 'bad', forced_open: 'bad', disabled: 'info' };
    fill(
      'endpoints',
      table(
        'Endpoints',
        ['URL', 'State', 'Breaker', 'Last success', 'Last failure', 'Signing secret'],
        body.endpoints.map((e) => [
          el('span', {}, [e.url, el('br'), el('code', { class: 'muted', text: e.id })]),
          e.enabled
            ? pill('enabled', 'ok')
            : pill(`disabled${e.disabledReason ? ` (${e.disabledReason})` : ''}`, 'bad'),
          pill(e.breaker.replace('_', '-'), breakerTone[e.breaker] || 'info'),
          ago(e.lastSuccessAt),
          e.lastFailureAt ? el('span', {}, [ago(e.lastFailureAt), ' ', el('code', { text: e.lastError })]) : ago(null),
          e.rotation.state === 'overlap'
            ? el('span', {}, [
                pill('rotating', 'warn'),
                ` old secret signs until ${new Date(e.rotation.previousExpiresAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
              ])
            : pill('single secret', 'ok'),
        ]),
      ),
    );
  },
  async dlq() {
    if (!state.features.has('delivery')) return fill('dlq', empty('Webhook delivery is not enabled on this server.'));
    const { body } = await api('/admin/dashboard/dlq?limit=100');
    const summary = el('p', {}, [
      'In DLQ ',
      el('b', { id: 'dlq-size', text: body.size }),
      body.oldestAt ? ` · oldest dead since ${duration(serverClock.now() - body.oldestAt)}` : '',
    ]);
    if (body.items.length === 0) return fill('dlq', summary, empty('The dead-letter queue is empty.'));
    fill(
      'dlq',
      summary,
      table(
        'Dead-letter queue',
        ['Message', 'Endpoint', 'Age', 'Attempts', 'Last error', 'Actions'],
        body.items.map((d) => [
          el('span', {}, [
            el('code', { text: d.messageId }),
            el('br'),
            el('span', { class: 'muted', text: d.eventType }),
          ]),
          d.endpointUrl || d.endpointId,
          el('span', {
            title: `created ${new Date(d.createdAt).toISOString()}`,
            text: duration(Math.max(0, serverClock.now() - d.createdAt)),
          }),
          d.attempts,
          el('code', { text: d.lastError || '—' }),
          actions(
            el('button', {
              type: 'button',
              'data-requeue': d.deliveryId,
              'aria-label': `Requeue delivery ${d.deliveryId}`,
              text: 'Requeue',
              onclick: () =>
                act(`Requeued ${d.deliveryId}`, () => post('/admin/dlq/requeue', { deliveryIds: [d.deliveryId] })),
            }),
            el('button', {
              type: 'button',
              'data-redeliver': d.messageId,
              'aria-label': `Redeliver message ${d.messageId} to every endpoint`,
              text: 'Redeliver',
              onclick: () =>
                act(`Redelivering ${d.messageId}`, () =>
                  post(`/admin/deliveries/${encodeURIComponent(d.messageId)}/redeliver`),
                ),
            }),
          ),
        ]),
        [2, 3], // age and attempts: right-aligned, never wrapped
      ),
    );
  },
  async suppressions() {
    if (!state.features.has('email')) return fill('suppressions', empty('Email is not enabled on this server.'));
    const q = $('suppression-q').value.trim();
    const { body } = await api(`/admin/email/suppressions?limit=100&q=${encodeURIComponent(q)}`);
    const count = el('p', {
      class: 'muted',
      text: `${body.total} suppressed address${body.total === 1 ? '' : 'es'}${q ? ` matching “${q}”` : ''}`,
    });
    if (body.items.length === 0)
      return fill('suppressions', count, empty(q ? 'No suppressed address matches.' : 'No address is suppressed.'));
    fill(
      'suppressions',
      count,
      table(
        'Suppression list',
        ['Address', 'Reason', 'Since', 'Actions'],
        body.items.map((s) => [
          s.email,
          el('span', {}, [
            pill(s.reason.replace('_', ' '), s.reason === 'complaint' ? 'bad' : 'warn'),
            ' ',
            el('span', { class: 'muted', text: s.provider }),
          ]),
          ago(Date.parse(s.createdAt)),
          actions(
            el('button', {
              type: 'button',
              class: 'danger',
              'data-unsuppress': s.email,
              'aria-label': `Remove ${s.email} from the suppression list`,
              text: 'Remove',
              onclick: () =>
                act(`Removed ${s.email} from the suppression list`, () =>
                  api(`/admin/email/suppressions/${encodeURIComponent(s.email)}`, { method: 'DELETE' }),
                ),
            }),
          ),
        ]),
      ),
    );
  },
  async errors() {
    const { body } = await api('/admin/errors');
    const total = el('p', {}, ['Total ', el('b', { id: 'errors-total', text: body.total })]);
    if (body.codes.length === 0) return fill('errors', total, empty('No error answered since the server started.'));
    fill(
      'errors',
      total,
      table(
        'Error codes',
        ['Code', 'Status', 'Count', 'Last seen'],
        body.codes.map((c) => [
          el('a', {
            href: `${problemBase}${encodeURIComponent(c.code)}`,
            rel: 'noopener noreferrer',
            target: '_blank',
            text: c.code,
            title: `Documentation of ${c.code}`,
          }),
          c.status,
          c.count,
          ago(c.lastSeenMs),
        ]),
        [1, 2],
      ),
    );
  },
  async slo() {
    if (!state.features.has('slo')) return fill('slo', empty('SLO recording is not enabled.'));
    const { body } = await api('/admin/slo/recommend');
    if (body.routes.length === 0) return fill('slo', empty('No request recorded yet.'));
    fill(
      'slo',
      table(
        'SLO thresholds',
        ['Route', 'Threshold', 'Samples', 'Breach ratio', 'Burn'],
        // Routes with a threshold first, then the busiest.
        [...body.routes]
          .sort((a, b) => (b.status === 'ok') - (a.status === 'ok') || b.samples - a.samples)
          .map((r) => [
            el('code', { text: r.route }),
            r.status === 'ok'
              ? `${r.thresholdMs} ms (p${+(r.quantile * 100).toFixed(1)})`
              : el('span', { title: r.explanation }, pill('not enough data', 'info')),
            r.status === 'ok' ? r.samples : `${r.samples} of ${r.minSamples}`,
            r.breachRatio === undefined ? '—' : `${(r.breachRatio.ratio * 100).toFixed(1)} %`,
            burnCell(r.burnRate),
          ]),
        [2, 3],
      ),
    );
  },
  async health() {
    const res = await fetch('/health/readiness', { cache: 'no-store' });
    const ready = await res.json().catch(() => ({}));
    const deps = await api('/health/dependencies', { optional: true });
    const checks = (deps?.body?.dependencies || []).map((d) => [
      d.name,
      pill(d.status, d.status === 'pass' ? 'ok' : d.status === 'warn' ? 'warn' : 'bad'),
      el('code', { text: d.code || '' }),
    ]);
    fill(
      'health',
      el('p', {}, [
        'Readiness ',
        pill(
          ready.status === 'fail' || !res.ok ? 'not ready' : 'ready',
          ready.status === 'fail' || !res.ok ? 'bad' : 'ok',
        ),
      ]),
      checks.length ? table('Health checks', ['Check', 'Status', 'Code'], checks) : empty('No dependency view.'),
    );
  },
  async audit() {
    const { body } = await api('/admin/audit?limit=50');
    if (body.records.length === 0) return fill('audit', empty('No admin action recorded yet.'));
    fill(
      'audit',
      table(
        'Audit log',
        ['When', 'Actor', 'Action', 'Target', 'Source'],
        body.records.map((r) => [
          ago(Date.parse(r.at)),
          r.actor,
          el('code', { text: r.action }),
          r.target || '—',
          r.source || '—',
        ]),
      ),
    );
  },
  async email() {
    if (!state.features.has('email')) return fill('email', empty('Email is not enabled on this server.'));
    const { body } = await api('/admin/email/events?limit=20');
    if (body.events.length === 0) return fill('email', empty('No email event received yet.'));
    fill(
      'email',
      table(
        'Recent email events',
        ['When', 'Type', 'Recipient', 'Provider'],
        body.events.map((e) => [
          ago(Date.parse(e.occurredAt)),
          pill(e.type, e.type === 'delivered' ? 'ok' : 'warn'),
          e.recipient,
          e.provider,
        ]),
      ),
    );
  },
};

/** Burn-rate severity; a route too quiet for any alert rule to judge says so instead of "ok". */
function burnCell(burn) {
  if (burn.severity === 'page' || burn.severity === 'ticket')
    return pill(burn.severity, burn.severity === 'page' ? 'bad' : 'warn');
  if (burn.evaluated === false)
    return el(
      'span',
      { title: `Fewer than ${burn.minEvents} requests in both windows of every alert rule` },
      pill('not enough data', 'info'),
    );
  return pill('ok', 'ok');
}

async function act(done, run) {
  try {
    await run();
    status(done);
    if (done.startsWith('Removed')) views.suppressions().catch(showError('suppressions'));
  } catch (error) {
    if (error instanceof AuthError) return state.signOut(error.message);
    status(`Failed: ${error.message}`);
  }
  state.refresh();
}
export const showError = (name) => (error) => {
  if (error instanceof AuthError) return state.signOut(error.message);
  if ($(name)?.querySelector('.body')) fill(name, el('p', { class: 'error', text: `Unavailable: ${error.message}` }));
};
