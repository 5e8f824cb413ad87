/**
 * The admin dashboard: one static page, no build step. It asks for the admin token once
 * (kept in sessionStorage), then polls the admin API every 2 s.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bulwark · reference server</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1b1f24; background: #f6f7f9; }
  body { margin: 0; }
  [hidden] { display: none !important; }
  header { background: #1b1f24; color: #fff; padding: 12px 20px; display: flex; gap: 16px; align-items: center; }
  header h1 { font-size: 18px; margin: 0; flex: 1; }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 16px; padding: 16px; }
  section { background: #fff; border-radius: 8px; padding: 12px 16px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  h2 { font-size: 15px; margin: 0 0 8px; }
  table { width: 100%; border-collapse: collapse; font-size: 13px; }
  th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #eceef1; }
  .pill { padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
  .ok, .closed, .ready { background: #dcf5e3; color: #17633a; }
  .bad, .open, .not_ready, .degraded, .shutting_down { background: #fde2e1; color: #9b1c1c; }
  .half_open, .warn { background: #fff1cc; color: #7a5200; }
  .muted { color: #6b7280; font-size: 12px; }
  button { cursor: pointer; }
  #login { padding: 40px; max-width: 420px; margin: auto; }
</style>
</head>
<body>
<header><h1>Bulwark reference server</h1><span id="updated" class="muted"></span><button id="logout" hidden>Forget token</button></header>
<form id="login" hidden>
  <h2>Admin token</h2>
  <p class="muted">Printed by the server at startup (or set with ADMIN_TOKEN).</p>
  <input id="token" type="password" autocomplete="off" style="width:100%" aria-label="Admin token">
  <p><button type="submit">Open dashboard</button></p>
</form>
<main id="panels" hidden>
  <section id="health"><h2>Health</h2><div class="body">…</div></section>
  <section id="dependencies"><h2>Dependencies &amp; breakers</h2><div class="body">…</div></section>
  <section id="queue"><h2>Delivery queue &amp; DLQ</h2><div class="body">…</div></section>
  <section id="errors"><h2>Error counts</h2><div class="body">…</div></section>
  <section id="slo"><h2>SLO threshold recommendations</h2><div class="body">…</div></section>
  <section id="email"><h2>Recent email events</h2><div class="body">…</div></section>
</main>
<script type="module">
const $ = (id) => document.getElementById(id);
const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]);
const pill = (v) => '<span class="pill ' + esc(v) + '">' + esc(v) + '</span>';
const table = (head, rows) => rows.length === 0 ? '<p class="muted">Nothing yet.</p>' :
  '<table><thead><tr>' + head.map((h) => '<th>' + esc(h) + '</th>').join('') + '</tr></thead><tbody>' +
  rows.map((r) => '<tr>' + r.map((cell) => '<td>' + cell + '</td>').join('') + '</tr>').join('') + '</tbody></table>';
let token = sessionStorage.getItem('bulwark-admin-token');

async function api(path, init = {}) {
  const res = await fetch(path, { ...init, headers: { ...(init.headers || {}), authorization: 'Bearer ' + token } });
  if (res.status === 401) { sessionStorage.removeItem('bulwark-admin-token'); token = null; show(); throw new Error('unauthorized'); }
  if (res.status === 404) return undefined;
  return res.json();
}
function panel(id, html) { $(id).querySelector('.body').innerHTML = html; }

const renderers = {
  async health() {
    const live = await fetch('/health/liveness').then((r) => r.json());
    const ready = await fetch('/health/readiness').then((r) => r.json());
    const deps = await api('/health/dependencies');
    const critical = ((deps && deps.dependencies) || []).filter((d) => d.critical);
    panel('health', '<p>Liveness ' + pill(live.status === 'pass' ? 'ok' : 'bad') + ' · Readiness ' + pill(ready.status === 'fail' ? 'not_ready' : 'ready') + '</p>' +
      table(['check', 'state'], critical.map((c) => [esc(c.name), pill(c.status === 'pass' ? 'ok' : 'bad') + (c.code ? ' <span class="muted">' + esc(c.code) + '</span>' : '')])));
  },
  async dependencies() {
    const deps = await api('/health/dependencies');
    const rows = ((deps && deps.dependencies) || []).filter((d) => !d.critical);
    panel('dependencies', table(['dependency', 'state', 'detail'], rows.map((d) => [
      esc(d.name), pill(d.details && d.details.state ? d.details.state : (d.status === 'pass' ? 'ok' : 'bad')),
      '<span class="muted">' + esc(d.code || ((d.details && d.details.breakers) || []).filter((b) => b.state !== 'closed').map((b) => b.name + ' ' + b.state).join(', ')) + '</span>'])));
  },
  async queue() {
    const dlq = features.has('delivery') ? await api('/admin/dlq') : undefined;
    if (!dlq) return panel('queue', '<p class="muted">Delivery is not enabled on this server.</p>');
    const rows = (dlq.items || []).map((item) => [esc(item.messageId), esc(item.endpointId), esc(item.lastError || ''),
      '<button data-requeue="' + esc(item.deliveryId) + '">Requeue</button>']);
    panel('queue', '<p>Pending <b id="queue-pending">' + esc(dlq.stats && dlq.stats.pending) + '</b> · In DLQ <b id="dlq-size">' + esc(dlq.stats && dlq.stats.dead) + '</b></p>' +
      table(['message', 'endpoint', 'last error', ''], rows));
  },
  async errors() {
    const snap = await api('/admin/errors');
    panel('errors', '<p>Total <b id="errors-total">' + esc(snap.total) + '</b></p>' +
      table(['code', 'status', 'count', 'last seen'], snap.codes.map((c) => [esc(c.code), esc(c.status), esc(c.count), esc(new Date(c.lastSeenMs).toISOString())])));
  },
  async slo() {
    const rec = features.has('slo') ? await api('/admin/slo/recommend') : undefined;
    if (!rec) return panel('slo', '<p class="muted">SLO recording is not enabled.</p>');
    panel('slo', table(['route', 'threshold', 'samples', 'explanation'], (rec.routes || []).map((r) => [
      esc(r.route), r.thresholdMs === undefined ? pill('warn') : esc(r.thresholdMs + ' ms'), esc(r.samples), '<span class="muted">' + esc(r.explanation || r.reason || '') + '</span>'])));
  },
  async email() {
    const events = features.has('email') ? await api('/admin/email/events') : undefined;
    if (!events) return panel('email', '<p class="muted">Email ingestion is not enabled.</p>');
    panel('email', table(['when', 'type', 'recipient', 'provider'], (events.events || []).map((e) => [
      esc(e.occurredAt), pill(e.type), esc(e.recipient), esc(e.provider)])));
  },
};

let features = new Set();
async function refresh() {
  if (!token) return;
  try { features = new Set((await api('/admin/features')).features); } catch { return; }
  await Promise.all(Object.entries(renderers).map(([name, render]) => render().catch((e) => panel(name, '<p class="muted">unavailable: ' + esc(e.message) + '</p>'))));
  $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
}
function show() {
  $('login').hidden = Boolean(token);
  $('panels').hidden = !token;
  $('logout').hidden = !token;
}
$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  token = $('token').value.trim();
  sessionStorage.setItem('bulwark-admin-token', token);
  show();
  refresh();
});
$('logout').addEventListener('click', () => { sessionStorage.removeItem('bulwark-admin-token'); token = null; show(); });
document.addEventListener('click', async (e) => {
  const id = e.target && e.target.getAttribute && e.target.getAttribute('data-requeue');
  if (!id) return;
  await api('/admin/dlq/requeue', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ deliveryIds: [id] }) });
  refresh();
});
show();
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
`;
