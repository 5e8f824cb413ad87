// The admin API as the dashboard calls it: bearer token, typed auth failures, server clock.
import { serverClock } from './dom.js';

const TOKEN_KEY = 'bulwark-admin-token';
/** The admin token of this tab (sessionStorage: gone when the tab closes). */
export const session = {
  token: sessionStorage.getItem(TOKEN_KEY),
  save(token) {
    session.token = token;
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  forget() {
    session.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

export class AuthError extends Error {}
/** The last body and ETag of every GET, by path: a 304 answers with the body kept here. */
const lastBodies = new Map();
/** Forgets the kept bodies (sign-out: the next token may see other data). */
export const forgetBodies = () => lastBodies.clear();
/**
 * Calls the admin API. A GET sends `If-None-Match` with the ETag of the body kept for its path;
 * on 304 it answers that body with `notModified: true` (nothing was transferred or parsed).
 */
export async function api(path, init = {}) {
  const get = !init.method || init.method === 'GET';
  const kept = get ? lastBodies.get(path) : undefined;
  const headers = {
    ...(init.headers || {}),
    ...(kept ? { 'if-none-match': kept.etag } : {}),
    authorization: `Bearer ${session.token}`,
  };
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
  if (res.status === 304 && kept) return { status: 304, etag: kept.etag, body: kept.body, notModified: true };
  if (res.status === 304 || res.status === 204) return { status: res.status, etag: res.headers.get('etag') };
  if (res.status === 404 && init.optional) return undefined;
  const body = await res.json().catch(() => undefined);
  if (!res.ok) throw new Error((body && (body.detail || body.title)) || `HTTP ${res.status}`);
  // Relative times are measured against the server's clock (it says `now` where it matters).
  if (body && typeof body.now === 'number') serverClock.skew = body.now - Date.now();
  const etag = res.headers.get('etag');
  if (get && etag) {
    lastBodies.delete(path);
    lastBodies.set(path, { etag, body });
    // Bounded: each suppression search is a path of its own; the oldest kept body goes first.
    if (lastBodies.size > 32) lastBodies.delete(lastBodies.keys().next().value);
  }
  return { status: res.status, etag, body, notModified: false };
}
export const post = (path, body) =>
  api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
