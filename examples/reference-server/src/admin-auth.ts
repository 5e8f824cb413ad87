import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { err } from '@bulwark/errors';
import { jwtVerify } from 'jose';

/** Who made an admin request, for the audit log. */
export interface AdminPrincipal {
  readonly kind: 'token' | 'jwt';
  readonly subject: string;
}

/** Verifies admin credentials: a static bearer token (rotatable) or an HS256 JWT. */
export interface AdminAuth {
  /** Resolves the principal, or throws `unauthorized`. */
  authenticate(authorization: string | undefined): Promise<AdminPrincipal>;
  /** Replaces the admin token; the new one is returned once and the old one stops working. */
  rotateToken(): string;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Generates a 256-bit URL-safe admin token. */
export function generateAdminToken(): string {
  return `adm_${randomBytes(32).toString('base64url')}`;
}

/**
 * Creates the admin authenticator. Token comparison hashes both sides and compares the
 * digests in constant time, so neither content nor length leaks through timing.
 */
export function createAdminAuth(options: { token: string; jwtSecret?: string | undefined }): AdminAuth {
  let tokenDigest = digest(options.token);
  const jwtKey = options.jwtSecret ? new TextEncoder().encode(options.jwtSecret) : undefined;

  return {
    async authenticate(authorization) {
      const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/.exec(authorization ?? '');
      if (!match?.[1]) throw err('unauthorized', { detail: 'Send `Authorization: Bearer <admin token or JWT>`' });
      const credential = match[1];
      if (timingSafeEqual(digest(credential), tokenDigest)) return { kind: 'token', subject: 'admin-token' };
      if (jwtKey && credential.split('.').length === 3) {
        try {
          const { payload } = await jwtVerify(credential, jwtKey, { algorithms: ['HS256'] });
          return { kind: 'jwt', subject: typeof payload.sub === 'string' ? payload.sub : 'jwt' };
        } catch (cause) {
          throw err('unauthorized', { detail: 'Invalid or expired admin JWT', cause });
        }
      }
      throw err('unauthorized', { detail: 'Invalid admin credentials' });
    },
    rotateToken() {
      const next = generateAdminToken();
      tokenDigest = digest(next);
      return next;
    },
  };
}
