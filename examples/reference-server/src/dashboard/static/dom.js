// DOM helpers of the dashboard: text only, nothing from the API is ever parsed as HTML.
export const $ = (id) => document.getElementById(id);
/** The server's clock as the browser sees it (the API says `now` where relative times matter). */
export const serverClock = { skew: 0, now: () => Date.now() + serverClock.skew };
const now = () => serverClock.now();

export function el(tag, props = {}, children = []) {
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
export const pill = (text, tone) => el('span', { class: `pill ${tone}`, text });
export const empty = (text) => el('p', { class: 'empty', text });
export function ago(ms) {
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
export function duration(ms) {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 172_800) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d`;
}
/** A table whose rows become labelled blocks on narrow screens; `rows` are arrays of cells. */
export function table(label, head, rows, numeric = []) {
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
export const actions = (...buttons) => ({ className: 'actions', children: buttons });
export function fill(id, ...nodes) {
  const body = $(id).querySelector('.body');
  body.replaceChildren(...nodes);
  body.removeAttribute('aria-busy');
}
export function status(text) {
  $('status').textContent = text;
}
