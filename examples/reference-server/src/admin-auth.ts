import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '@bulwark/core';
import { err } from '@bulwark/errors';
import { jwtVerify } from 'jose';
import type { Principal } from './auth/principal.js';
import type { SettingsStore } from './settings-store.js';

/** Verifies admin credentials: the admin bearer token (rotatable, durably) or an HS256 JWT. */
export interface AdminAuth {
  /** Resolves the admin principal for a bearer credential, or throws `unauthorized`. */
  authenticate(credential: string): Promise<Principal>;
  /** Replaces the admin token (and invalidates JWTs issued before now); the new token is returned once. */
  rotateToken(): string;
}

/** Options of {@link createAdminAuth}. */
export interface AdminAuthOptions {
  /** The configured (or generated) admin token. */
  readonly token: string;
  readonly jwtSecret?: string | undefined;
  /** Required `aud` of admin JWTs, when set. */
  readonly jwtAudience?: string | undefined;
  /** Required `iss` of admin JWTs, when set. */
  readonly jwtIssuer?: string | undefined;
  /** Longest accepted remaining lifetime (`exp` − now) of an admin JWT, in seconds. */
  readonly jwtMaxTtlSeconds: number;
  /** Where a rotation is kept across restarts. */
  readonly settings: SettingsStore;
  readonly clock: Clock;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
const KEY_CURRENT = 'admin_token.sha256';
const KEY_REPLACED = 'admin_token.replaced_configured_sha256';
const KEY_ROTATED_AT = 'admin_token.rotated_at_ms';
const CLOCK_TOLERANCE_S = 30;

/** Generates a 256-bit URL-safe admin token. */
export function generateAdminToken(): string {
  return `adm_${randomBytes(32).toString('base64url')}`;
}

/**
 * Creates the admin authenticator. Token comparison hashes both sides and compares the digests
 * in constant time. A rotation is stored (as a digest) and wins over the configured token after
 * a restart, as long as the configured token is still the one it replaced; configuring a new
 * token is a fresh start. Admin JWTs must carry `exp` within `jwtMaxTtlSeconds`, the configured
 * `aud`/`iss`, and, after a rotation, an `iat` no older than the rotation.
 */
export function createAdminAuth(options: AdminAuthOptions): AdminAuth {
  const { settings, clock } = options;
  const configured = digest(options.token).toString('hex');
  if (settings.get(KEY_REPLACED) !== configured) {
    settings.delete(KEY_CURRENT);
    settings.delete(KEY_REPLACED);
    settings.delete(KEY_ROTATED_AT);
  }
  let tokenDigest: Buffer = Buffer.from(settings.get(KEY_CURRENT) ?? configured, 'hex');
  let rotatedAtMs = Number(settings.get(KEY_ROTATED_AT) ?? 0);
  const jwtKey = options.jwtSecret ? new TextEncoder().encode(options.jwtSecret) : undefined;

  async function verifyJwt(credential: string): Promise<Principal> {
    if (!jwtKey) throw err('unauthorized', { detail: 'Invalid admin credentials' });
    try {
      const { payload } = await jwtVerify(credential, jwtKey, {
        algorithms: ['HS256'],
        requiredClaims: ['exp'],
        currentDate: new Date(clock.now()),
        clockTolerance: CLOCK_TOLERANCE_S,
        ...(options.jwtAudience ? { audience: options.jwtAudience } : {}),
        ...(options.jwtIssuer ? { issuer: options.jwtIssuer } : {}),
      });
      const nowS = clock.now() / 1000;
      if ((payload.exp as number) - nowS > options.jwtMaxTtlSeconds + CLOCK_TOLERANCE_S) {
        throw new Error(`exp is more than ${options.jwtMaxTtlSeconds} s away`);
      }
      if (
        rotatedAtMs > 0 &&
        !(typeof payload.iat === 'number' && payload.iat * 1000 >= rotatedAtMs - CLOCK_TOLERANCE_S * 1000)
      ) {
        throw new Error('issued before the last admin credential rotation');
      }
      return {
        kind: 'jwt',
        subject: typeof payload.sub === 'string' ? payload.sub.slice(0, 200) : 'jwt',
        scopes: 'all',
      };
    } catch (cause) {
      throw err('unauthorized', { detail: 'Invalid or expired admin JWT', cause });
    }
  }

  return {
    async authenticate(credential) {
      if (timingSafeEqual(digest(credential), tokenDigest))
        return { kind: 'token', subject: 'admin-token', scopes: 'all' };
      if (credential.split('.').length === 3) return verifyJwt(credential);
      throw err('unauthorized', { detail: 'Invalid admin credentials' });
    },
    rotateToken() {
      const next = generateAdminToken();
      tokenDigest = digest(next);
      rotatedAtMs = clock.now();
      settings.set(KEY_CURRENT, tokenDigest.toString('hex'));
      settings.set(KEY_REPLACED, configured);
      settings.set(KEY_ROTATED_AT, String(rotatedAtMs));
      return next;
    },
  };
}
