import { err } from '@bulwark/errors';
import type Database from 'better-sqlite3';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, AppServices } from '../app-context.js';
import { audit } from '../routes/admin.js';

const listSchema = z
  .object({
    q: z.string().trim().max(320).default(''),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
const emailParam = z.string().trim().toLowerCase().min(3).max(320).includes('@');

/** One suppressed address, as the admin API lists it. */
export interface SuppressionRow {
  readonly email: string;
  readonly reason: string;
  readonly provider: string;
  readonly occurredAt: string;
  readonly createdAt: string;
}

/** Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** `a***@acme.test#<first 12 hex of SHA-256>`: enough to match a complaint, not to read the address. */
export async function maskedEmail(email: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(email)));
  const hex = [...digest.slice(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join('');
  const at = email.lastIndexOf('@');
  return `${email.slice(0, 1)}***${email.slice(at)}#${hex}`;
}

/** Queries of the `suppressions` table the admin API needs. */
export function suppressionQueries(db: Database.Database) {
  const search = db.prepare(`
    SELECT email, reason, provider, occurred_at AS occurredAt, created_at AS createdAt
    FROM suppressions WHERE email LIKE ? ESCAPE '\\' ORDER BY created_at DESC, email LIMIT ?`);
  const count = db.prepare(`SELECT COUNT(*) AS n FROM suppressions WHERE email LIKE ? ESCAPE '\\'`);
  const remove = db.prepare('DELETE FROM suppressions WHERE email = ?');
  return {
    search: (text: string, limit: number) => ({
      items: search.all(likePattern(text.toLowerCase()), limit) as SuppressionRow[],
      total: (count.get(likePattern(text.toLowerCase())) as { n: number }).n,
    }),
    remove: (email: string) => remove.run(email).changes === 1,
  };
}

/**
 * `GET /admin/email/suppressions?q=&limit=` (substring search, newest first) and
 * `DELETE /admin/email/suppressions/:email` (audited as `suppression.remove`).
 */
export function suppressionRoutes(app: Hono<AppEnv>, services: AppServices): void {
  if (!services.email) return;
  const queries = suppressionQueries(services.database.db);
  app.get('/admin/email/suppressions', (c) => {
    const { q, limit } = listSchema.parse(c.req.query());
    return c.json(queries.search(q, limit));
  });
  app.delete('/admin/email/suppressions/:email', async (c) => {
    const email = emailParam.parse(c.req.param('email'));
    if (!queries.remove(email)) throw err('not_found', { detail: 'That address is not suppressed' });
    // The audit log (and the structured log it feeds) names the address only by a masked form and a digest.
    audit(c, services, 'suppression.remove', await maskedEmail(email));
    return c.body(null, 204);
  });
}
