import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from './app-context.js';

const DIGITS = /^\d{1,15}$/;

/**
 * Refuses request bodies over `maxBytes` with `onError` (which throws the route's 413). A body
 * with a `Content-Length` (and no `Transfer-Encoding`) is judged by that header alone: Node's
 * HTTP parser never hands a handler more bytes than it declares, and leaving the body unread
 * here keeps the Node adapter's direct read (hono's `bodyLimit` opens the body as a web stream,
 * which built a full `Request` per publish). Any other body — chunked, or a header that is not
 * a plain number — is counted while it streams by hono's `bodyLimit`.
 */
export function bodySizeLimit(maxBytes: number, onError: (c: Context<AppEnv>) => never): MiddlewareHandler<AppEnv> {
  const streamed = bodyLimit({ maxSize: maxBytes, onError });
  return async (c, next) => {
    const length = c.req.header('content-length');
    if (length !== undefined && DIGITS.test(length) && c.req.header('transfer-encoding') === undefined) {
      if (Number(length) > maxBytes) onError(c);
      await next();
      return undefined;
    }
    return streamed(c, next);
  };
}
