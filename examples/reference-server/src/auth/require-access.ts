import { err, isBulwarkError, problemResponse } from '@bulwark/errors';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv, AppServices } from '../app-context.js';
import { countError } from '../app-context.js';
import { serverErrors } from '../server-errors.js';
import { hasScope } from './principal.js';
import type { Scope } from './scopes.js';

/**
 * Requires credentials holding `access` (a scope, or `admin` for admin-only routes). Missing or
 * wrong credentials → 401 and a failure counted against the source address; past the throttle
 * → 429 without checking the credential at all; valid credentials without the scope → 403.
 */
export function requireAccess(services: AppServices, access: Scope | 'admin'): MiddlewareHandler<AppEnv> {
  const { authenticate, authThrottle, clientAddress, logger } = services;
  return async (c, next) => {
    const source = clientAddress(c);
    const requestId = c.get('requestId');
    const throttled = (waitMs: number) => {
      const error = serverErrors.err('auth_throttled', { extensions: { retryAfterMs: waitMs } });
      countError(services, error);
      logger.warn({ source, requestId, path: c.req.path }, 'authentication throttled');
      return problemResponse(error, {
        requestId,
        headers: { 'x-request-id': requestId, 'retry-after': String(Math.ceil(waitMs / 1000)) },
      });
    };
    const blocked = await authThrottle.blockedForMs(source);
    if (blocked > 0) return throttled(blocked);
    let principal: Awaited<ReturnType<typeof authenticate>>;
    try {
      principal = await authenticate(c.req.header('authorization'));
    } catch (error) {
      if (!isBulwarkError(error) || error.code !== 'unauthorized') throw error;
      const wait = await authThrottle.recordFailure(source);
      logger.warn({ source, requestId, path: c.req.path, reason: error.detail }, 'authentication failed');
      if (wait > 0) return throttled(wait);
      throw error;
    }
    const allowed = access === 'admin' ? principal.kind !== 'api_key' : hasScope(principal, access);
    if (!allowed) {
      throw err('forbidden', {
        detail: access === 'admin' ? 'Admin credentials required' : `This key lacks the ${access} scope`,
      });
    }
    c.set('principal', principal);
    c.set('source', source);
    await next();
    return undefined;
  };
}
