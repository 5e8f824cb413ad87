// The operator dashboard. No build step and no inline script (CSP: script-src 'self'). It asks for
// the admin token once (kept in sessionStorage), then polls the admin API with If-None-Match (api.js
// keeps each path's last body), so an unchanged view costs a 304 and an unchanged history no redraw. Modules: dom.js (DOM
// helpers), api.js (admin API), charts.js (uPlot), views.js (one function per card).

import { AuthError, api, forgetBodies, session } from './api.js';
import { redrawCharts } from './charts.js';
import { $, el, status } from './dom.js';
import { showError, state, views } from './views.js';

// `?poll=<ms>` (at least 250) shortens the interval, e.g. for a demo; 5 s otherwise.
const POLL_MS = Math.max(250, Number(new URLSearchParams(location.search).get('poll')) || 5_000);
const THEME_KEY = 'bulwark-theme';

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

// ---- lifecycle -------------------------------------------------------------------------------------
let timer;
let refreshing = false;
async function refresh() {
  if (!session.token || refreshing) return;
  refreshing = true;
  try {
    state.features = new Set((await api('/admin/features')).body.features);
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
  const signedIn = Boolean(session.token);
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
  session.forget();
  clearInterval(timer);
  forgetBodies();
  state.chartedPath = null;
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
  session.token = $('token').value.trim();
  $('login-error').hidden = true;
  try {
    await api('/admin/features');
  } catch (error) {
    session.forget();
    $('login-error').hidden = false;
    $('login-error').textContent = error instanceof AuthError ? error.message : `Server unreachable: ${error.message}`;
    return;
  }
  session.save(session.token);
  $('token').value = '';
  show();
  $('main').focus(); // the form just vanished: keep keyboard users in the content
  loading();
  await refresh();
  startPolling();
});
$('logout').addEventListener('click', () => signOut());
$('window').addEventListener('change', () => {
  $('window-name').textContent = $('window').selectedOptions[0].textContent.replace('Last ', '');
  views.history().catch(showError('charts'));
});
let searchTimer;
$('suppression-q').addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => views.suppressions().catch(showError('suppressions')), 250);
});

// The charts' time axes are in the browser's zone (other views say UTC where they give a date).
$('time-zone').textContent = `· times in ${Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time'}`;

state.signOut = signOut;
state.refresh = refresh;
applyTheme();
show();
if (session.token) {
  loading();
  refresh().then(startPolling);
} else {
  $('token').focus();
}
