import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '@bulwark/core';
import { err } from '@bulwark/errors';
import { jwtVerify } from 'jose';
import type { RotationStore } from './admin-token-rotation.js';
import type { Principal } from './auth/principal.js';

/** Verifies admin credentials: the admin bearer token (rotatable, durably) or an HS256 JWT. */
export interface AdminAuth {
  /** Resolves the admin principal for a bearer credential, or throws `unauthorized`. */
  authenticate(credential: string): Promise<Principal>;
  /**
   * Replaces the admin token (and invalidates JWTs issued before now); the new token is returned
   * once. Rejects with `storage_unavailable` when the rotation could not be stored (nothing changed).
   */
  rotateToken(): Promise<string>;
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
  /** Where a rotation is kept across restarts (and shared by a fleet); built on the configured token's digest. */
  readonly rotation: (configuredSha256: string) => RotationStore;
  readonly clock: Clock;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
/** How long the rotation read from the store is trusted: a rotation on another instance is seen within this long. */
export const ROTATION_CACHE_TTL_MS = 1_000;
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
  const { clock } = options;
  const configured = digest(options.token).toString('hex');
  const store = options.rotation(configured);
  let state: { at: number; tokenDigest: Buffer; rotatedAtMs: number } | undefined;
  const current = async () => {
    const now = clock.now();
    if (state && now - state.at < ROTATION_CACHE_TTL_MS && now >= state.at) return state;
    const rotation = await store.read();
    const applies = rotation !== undefined && rotation.replaced === configured;
    state = {
      at: now,
      tokenDigest: Buffer.from(applies ? rotation.current : configured, 'hex'),
      rotatedAtMs: applies ? rotation.rotatedAtMs : 0,
    };
    return state;
  };
  const jwtKey = options.jwtSecret ? new TextEncoder().encode(options.jwtSecret) : undefined;

  async function verifyJwt(credential: string, rotatedAtMs: number): Promise<Principal> {
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
      const { tokenDigest, rotatedAtMs } = await current();
      if (timingSafeEqual(digest(credential), tokenDigest))
        return { kind: 'token', subject: 'admin-token', scopes: 'all' };
      if (credential.split('.').length === 3) return verifyJwt(credential, rotatedAtMs);
      throw err('unauthorized', { detail: 'Invalid admin credentials' });
    },
    async rotateToken() {
      const next = generateAdminToken();
      const rotatedAtMs = clock.now();
      await store.write({ current: digest(next).toString('hex'), replaced: configured, rotatedAtMs });
      state = { at: rotatedAtMs, tokenDigest: digest(next), rotatedAtMs };
      return next;
    },
  };
}
