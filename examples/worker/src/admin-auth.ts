import { err } from '@bulwark/errors';
import { errors, jwtVerify } from 'jose';
import type { Env } from './env.js';

const encoder = new TextEncoder();

/**
 * Verifies the admin bearer token: HS256 only, signed with `ADMIN_JWT_SECRET`, issuer and audience
 * as configured, `exp` required (and not passed), a `sub` naming the caller. Anything else is
 * `unauthorized` (401) without saying which check failed.
 */
export async function requireAdmin(request: Request, env: Env): Promise<string> {
  const header = request.headers.get('authorization') ?? '';
  const token = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(header)?.[1];
  if (token === undefined) throw err('unauthorized', { detail: 'A bearer token is required' });
  const key = encoder.encode(env.ADMIN_JWT_SECRET);
  if (key.byteLength < 32) throw new TypeError('Expected `ADMIN_JWT_SECRET` to be at least 32 bytes');
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      issuer: env.ADMIN_JWT_ISSUER,
      audience: env.ADMIN_JWT_AUDIENCE,
      requiredClaims: ['exp', 'sub'],
    });
    return payload.sub as string;
  } catch (cause) {
    if (cause instanceof errors.JOSEError) throw err('unauthorized', { detail: 'The bearer token is not valid' });
    throw cause;
  }
}
