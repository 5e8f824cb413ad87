import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-context.js';
import { serverErrors } from './server-errors.js';

const JSON_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * JSON routes accept only `application/json` (415 otherwise). Besides strictness, this is what
 * makes a cross-site browser request need a CORS preflight: `text/plain` posts need none.
 */
export function requireJson(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const length = c.req.header('content-length');
    const hasBody =
      c.req.header('content-type') !== undefined ||
      c.req.header('transfer-encoding') !== undefined ||
      (length !== undefined && length !== '0');
    if (WITH_BODY.has(c.req.method) && hasBody && !JSON_TYPE.test(c.req.header('content-type') ?? '')) {
      throw serverErrors.err('unsupported_media_type', { detail: 'Send `Content-Type: application/json`' });
    }
    await next();
  };
}
