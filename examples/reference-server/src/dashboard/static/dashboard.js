// The operator dashboard. No build step and no inline script (CSP: script-src 'self'). It asks for
// the admin token once (kept in sessionStorage), then polls the admin API; the history is polled
// with If-None-Match, so an unchanged history costs a 304 and no redraw.
// `?poll=<ms>` (at least 250) shortens the interval, e.g. for a demo; 5 s otherwise.
const POLL_MS = Math.max(250, Number(new URLSearchParams(location.search).get('poll')) || 5_000);
const TOKEN_KEY = 'bulwark-admin-token';
const THEME_KEY = 'bulwark-theme';
const $ = (id) => document.getElementById(id);
const problemBase = document.body.dataset.problemBase || '';

// ---- theme -----------------------------------------------------------------------------------
const systemDark = window.matchMedia('(prefers-color-scheme: dark)');
function applyTheme() {
  const chosen = localStorage.getItem(THEME_KEY);
  const dark = chosen ? chosen === 'dark' : systemDark.matches;
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  $('theme').setAttribute('aria-pressed', String(dark));
  $('theme').textContent = dark ? 'Light mode' : 'Dark mode';
  redrawCharts();
}
$('theme').addEventListener('click', () => {
  localStorage.setItem(THEME_KEY, document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark');
  applyTheme();
});
systemDark.addEventListener('change', applyTheme);

// ---- small DOM helpers (text only: nothing from the API is ever parsed as HTML) ---------------
function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, String(value));
  }
  for (const child of [].concat(children)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
const pill = (text, tone) => el('span', { class: `pill ${tone}`, text });
const empty = (text) => el('p', { class: 'empty', text });
function ago(ms) {
  if (ms === null || ms === undefined) return el('span', { class: 'muted', text: 'never' });
  const seconds = Math.max(0, Math.round((now() - ms) / 1000));
  const text =
    seconds < 60
      ? `${seconds} s ago`
      : seconds < 3600
        ? `${Math.round(seconds / 60)} min ago`
        : seconds < 172_800
          ? `${Math.round(seconds / 3600)} h ago`
          : `${Math.round(seconds / 86_400)} d ago`;
  return el('time', { datetime: new Date(ms).toISOString(), title: new Date(ms).toISOString(), text });
}
function duration(ms) {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 172_800) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d`;
}
/** A table whose rows become labelled blocks on narrow screens; `rows` are arrays of cells. */
function table(label, head, rows, numeric = []) {
  const thead = el(
    'thead',
    {},
    el(
      'tr',
      {},
      head.map((h, i) => el('th', { class: numeric.includes(i) ? 'num' : undefined, scope: 'col', text: h })),
    ),
  );
  const tbody = el(
    'tbody',
    {},
    rows.map((cells) =>
      el(
        'tr',
        {},
        cells.map((cell, i) =>
          el(
            'td',
            {
              'data-label': head[i] || ' ',
              class: cell && cell.className === 'actions' ? 'actions' : numeric.includes(i) ? 'num' : undefined,
            },
            cell && cell.className === 'actions' ? cell.children : cell,
          ),
        ),
      ),
    ),
  );
  return el(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': label },
    el('table', { class: 'stack' }, [thead, tbody]),
  );
}
const actions = (...buttons) => ({ className: 'actions', children: buttons });
function fill(id, ...nodes) {
  const body = $(id).querySelector('.body');
  body.replaceChildren(...nodes);
  body.removeAttribute('aria-busy');
}
function status(text) {
  $('status').textContent = text;
}

// ---- API ---------------------------------------------------------------------------------------
let token = sessionStorage.getItem(TOKEN_KEY);
let serverSkew = 0;
const now = () => Date.now() + serverSkew;

class AuthError extends Error {}
async function api(path, init = {}) {
  const headers = { ...(init.headers || {}), authorization: `Bearer ${token}` };
  const res = await fetch(path, { ...init, headers, cache: 'no-store' });
  if (res.status === 401 || res.status === 403 || res.status === 429) {
    const problem = await res.json().catch(() => ({}));
    throw new AuthError(
      res.status === 401
        ? 'The token was rejected: it is wrong, expired or was rotated. Enter a current admin token.'
        : res.status === 403
          ? 'These credentials are not admin credentials (an API key cannot open the dashboard).'
          : `Too many failed attempts from this address; try again in ${res.headers.get('retry-after') || 'a few'} s.`,
      { cause: problem.code },
    );
  }
  if (res.status === 304 || res.status === 204) return { status: res.status, etag: res.headers.get('etag') };
  if (res.status === 404 && init.optional) return undefined;
  const body = await res.json().catch(() => undefined);
  if (!res.ok) throw new Error((body && (body.detail || body.title)) || `HTTP ${res.status}`);
  // Relative times are measured against the server's clock (it says `now` where it matters).
  if (body && typeof body.now === 'number') serverSkew = body.now - Date.now();
  return { status: res.status, etag: res.headers.get('etag'), body };
}
const post = (path, body) =>
  api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });

// ---- charts (uPlot, served by this server) -------------------------------------------------------
const charts = new Map();
let history;
let endpointUrls = new Map();
const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
const PALETTE = ['--series-1', '--series-2', '--series-3', '--series-4', '--series-5', '--series-6'];

function chartOptions(container, series, extra = {}) {
  const axis = { stroke: css('--muted'), grid: { stroke: css('--grid'), width: 1 }, ticks: { stroke: css('--grid') } };
  return {
    width: Math.max(200, container.clientWidth),
    height: 180,
    series: [{}, ...series],
    axes: [{ ...axis }, { ...axis, size: 48, ...(extra.yAxis || {}) }],
    scales: { x: { time: true }, ...(extra.scales || {}) },
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
  };
}
function line(label, colorVar, extra = {}) {
  return { label, stroke: css(colorVar), width: 2, points: { show: false }, spanGaps: false, ...extra };
}
function draw(id, series, data, extra, note) {
  const card = $(id);
  const container = card.querySelector('.chart');
  card.querySelector('.legend-note').textContent = note || '';
  const key = series.map((s) => s.label).join('|');
  const existing = charts.get(id);
  if (existing && existing.key === key) {
    existing.plot.setData(data);
    return;
  }
  existing?.plot.destroy();
  container.replaceChildren();
  const plot = new window.uPlot(chartOptions(container, series, extra), data, container);
  charts.set(id, { key, plot });
}
function redrawCharts() {
  for (const { plot } of charts.values()) plot.destroy();
  charts.clear();
  if (history) renderCharts(history);
}
new ResizeObserver(() => {
  for (const [id, { plot }] of charts) {
    const width = $(id).querySelector('.chart').clientWidth;
    if (width > 0 && Math.abs(width - plot.width) > 2) plot.setSize({ width, height: 180 });
  }
}).observe($('charts'));

const stepped = () => ({ paths: window.uPlot.paths.stepped({ align: 1 }) });
const BREAKER_NAMES = ['closed', 'half-open', 'open'];
function renderCharts(h) {
  const t = h.timestamps;
  const d = h.deliveries;
  draw(
    'chart-deliveries',
    [line('succeeded', '--series-ok'), line('retried', '--series-warn'), line('failed (DLQ)', '--series-bad')],
    [t, d.succeeded, d.retried, d.failed],
    {},
    `${h.totals.succeeded} succeeded · ${h.totals.retried} retried · ${h.totals.failed} dead-lettered`,
  );
  draw(
    'chart-publishes',
    [line('published', '--series-1')],
    [t, h.publishes],
    {},
    `${h.totals.publishes} events accepted`,
  );
  const codes = h.errors.slice(0, PALETTE.length);
  draw(
    'chart-errors',
    codes.length ? codes.map((e, i) => line(e.code, PALETTE[i])) : [line('errors', '--series-6')],
    [t, ...(codes.length ? codes.map((e) => e.counts) : [t.map(() => 0)])],
    {},
    codes.length ? `${h.totals.errors} errors answered` : 'No errors in this window.',
  );

  const select = $('route');
  const routes = h.latency.map((r) => r.route);
  const chosen = routes.includes(select.value) ? select.value : routes[0];
  if ([...select.options].map((o) => o.value).join('|') !== routes.join('|')) {
    select.replaceChildren(...routes.map((r) => el('option', { value: r, text: r })));
  }
  select.disabled = routes.length === 0;
  if (chosen) select.value = chosen;
  const route = h.latency.find((r) => r.route === chosen);
  if (route) {
    const ok = route.threshold.status === 'ok';
    const series = [line('p50 ms', '--series-1'), line('p90 ms', '--series-2')];
    const data = [t, route.p50Series, route.p90Series];
    if (ok) {
      series.push(line('SLO threshold', '--series-bad', { dash: [6, 4], width: 1.5 }));
      data.push(t.map(() => route.threshold.thresholdMs));
    }
    draw(
      'chart-latency',
      series,
      data,
      {},
      `${route.samples} requests · p50 ${route.p50} ms · p90 ${route.p90} ms · threshold ${ok ? `${route.threshold.thresholdMs} ms` : `not enough data yet (${route.threshold.samples} of ${route.threshold.minSamples} samples)`}`,
    );
  } else {
    draw('chart-latency', [line('p50 ms', '--series-1')], [t, t.map(() => null)], {}, 'No requests in this window.');
  }

  const breakers = h.breakers.slice(0, PALETTE.length);
  draw(
    'chart-breakers',
    breakers.length
      ? breakers.map((b, i) => line(endpointUrls.get(b.endpointId) || b.endpointId, PALETTE[i], stepped()))
      : [line('no breaker yet', '--series-6', stepped())],
    [t, ...(breakers.length ? breakers.map((b) => b.levels) : [t.map(() => 0)])],
    {
      scales: { y: { range: [0, 2.2] } },
      yAxis: { size: 72, splits: () => [0, 1, 2], values: (_u, splits) => splits.map((v) => BREAKER_NAMES[v] ?? '') },
    },
    breakers.length ? 'Worst state per bucket.' : 'No breaker has tripped since the server started: all closed.',
  );
  draw(
    'chart-dlq',
    [line('DLQ depth', '--series-bad', stepped())],
    [t, h.dlqDepth],
    {},
    `Now ${h.dlqDepth.at(-1) ?? 'unknown'}`,
  );
}

// ---- views ---------------------------------------------------------------------------------------
let historyEtag = null;
let features = new Set();
const views = {
  async history() {
    const windowName = $('window').value;
    const res = await api(`/admin/history?window=${windowName}`, {
      headers: historyEtag ? { 'if-none-match': historyEtag } : {},
    });
    if (res.status === 304) return;
    historyEtag = res.etag;
    history = res.body;
    renderCharts(history);
  },
  async endpoints() {
    if (!features.has('delivery')) return fill('endpoints', empty('Webhook delivery is not enabled on this server.'));
    const { body } = await api('/admin/dashboard/endpoints');
    endpointUrls = new Map(body.endpoints.map((e) => [e.id, e.url]));
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
    if (!features.has('delivery')) return fill('dlq', empty('Webhook delivery is not enabled on this server.'));
    const { body } = await api('/admin/dashboard/dlq?limit=100');
    const summary = el('p', {}, [
      'In DLQ ',
      el('b', { id: 'dlq-size', text: body.size }),
      body.oldestAt ? ` · oldest dead since ${duration(body.now - body.oldestAt)}` : '',
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
          el('span', { title: `created ${new Date(d.createdAt).toISOString()}`, text: duration(d.ageMs) }),
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
        [3],
      ),
    );
  },
  async suppressions() {
    if (!features.has('email')) return fill('suppressions', empty('Email is not enabled on this server.'));
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
    if (!features.has('slo')) return fill('slo', empty('SLO recording is not enabled.'));
    const { body } = await api('/admin/slo/recommend');
    if (body.routes.length === 0) return fill('slo', empty('No request recorded yet.'));
    fill(
      'slo',
      table(
        'SLO thresholds',
        ['Route', 'Threshold', 'Samples', 'Breach ratio', 'Burn'],
        body.routes.map((r) => [
          el('code', { text: r.route }),
          r.status === 'ok'
            ? `${r.thresholdMs} ms (p${+(r.quantile * 100).toFixed(1)})`
            : el('span', { title: r.explanation }, pill('not enough data', 'info')),
          r.status === 'ok' ? r.samples : `${r.samples} of ${r.minSamples}`,
          r.breachRatio === undefined ? '—' : `${(r.breachRatio.ratio * 100).toFixed(1)} %`,
          r.burnRate.severity === 'none' || !r.burnRate.severity
            ? pill('ok', 'ok')
            : pill(r.burnRate.severity, r.burnRate.severity === 'page' ? 'bad' : 'warn'),
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
    if (!features.has('email')) return fill('email', empty('Email is not enabled on this server.'));
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

async function act(done, run) {
  try {
    await run();
    status(done);
    if (done.startsWith('Removed')) views.suppressions().catch(showError('suppressions'));
  } catch (error) {
    if (error instanceof AuthError) return signOut(error.message);
    status(`Failed: ${error.message}`);
  }
  refresh();
}
const showError = (name) => (error) => {
  if (error instanceof AuthError) return signOut(error.message);
  if ($(name)?.querySelector('.body')) fill(name, el('p', { class: 'error', text: `Unavailable: ${error.message}` }));
};

// ---- lifecycle -------------------------------------------------------------------------------------
let timer;
let refreshing = false;
async function refresh() {
  if (!token || refreshing) return;
  refreshing = true;
  try {
    features = new Set((await api('/admin/features')).body.features);
    // Endpoints first: the breaker chart labels its series with their URLs.
    await views.endpoints().catch(showError('endpoints'));
    await Promise.all(
      Object.entries(views)
        .filter(([name]) => name !== 'endpoints')
        .map(([name, view]) => view().catch(showError(name))),
    );
    status(`Updated ${new Date().toLocaleTimeString()}`);
  } catch (error) {
    if (error instanceof AuthError) signOut(error.message);
    else status(`Server unreachable: ${error.message}`);
  } finally {
    refreshing = false;
  }
}
function show() {
  const signedIn = Boolean(token);
  $('login').hidden = signedIn;
  $('panels').hidden = !signedIn;
  $('logout').hidden = !signedIn;
  $('nav').hidden = !signedIn;
  $('window-label').hidden = !signedIn;
}
function startPolling() {
  clearInterval(timer);
  timer = setInterval(refresh, POLL_MS);
}
function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  token = null;
  clearInterval(timer);
  historyEtag = null;
  show();
  $('login-error').hidden = !message;
  $('login-error').textContent = message || '';
  status(message ? 'Signed out: the token stopped working.' : 'Signed out.');
  $('token').focus();
}
function loading() {
  for (const section of document.querySelectorAll('#panels .body')) {
    section.setAttribute('aria-busy', 'true');
    section.replaceChildren(el('p', { class: 'loading', text: 'Loading…' }));
  }
}

$('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  token = $('token').value.trim();
  $('login-error').hidden = true;
  try {
    await api('/admin/features');
  } catch (error) {
    token = null;
    $('login-error').hidden = false;
    $('login-error').textContent = error instanceof AuthError ? error.message : `Server unreachable: ${error.message}`;
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $('token').value = '';
  show();
  loading();
  await refresh();
  startPolling();
});
$('logout').addEventListener('click', () => signOut());
$('window').addEventListener('change', () => {
  historyEtag = null;
  $('window-name').textContent = $('window').selectedOptions[0].textContent.replace('Last ', '');
  views.history().catch(showError('charts'));
});
$('route').addEventListener('change', () => history && renderCharts(history));
let searchTimer;
$('suppression-q').addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => views.suppressions().catch(showError('suppressions')), 250);
});

applyTheme();
show();
if (token) {
  loading();
  refresh().then(startPolling);
} else {
  $('token').focus();
}
