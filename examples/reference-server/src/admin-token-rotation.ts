import { systemTimers, type TimerProvider } from '@bulwark/core';
import type { RedisClient } from './redis-connection.js';
import { withinDeadline } from './redis-deadline.js';
import type { SettingsStore } from './settings-store.js';

/** The last admin token rotation: digests only, never a token. */
export interface AdminTokenRotation {
  /** SHA-256 (hex) of the token in force since the rotation. */
  readonly current: string;
  /** SHA-256 (hex) of the configured token it replaced: the rotation applies while that one is configured. */
  readonly replaced: string;
  /** When it happened; admin JWTs issued before are refused. */
  readonly rotatedAtMs: number;
}

/** Where the rotation is kept: durable across restarts, and shared by a fleet with Redis. */
export interface RotationStore {
  read(): Promise<AdminTokenRotation | undefined>;
  write(rotation: AdminTokenRotation): Promise<void>;
}

const KEY_CURRENT = 'admin_token.sha256';
const KEY_REPLACED = 'admin_token.replaced_configured_sha256';
const KEY_ROTATED_AT = 'admin_token.rotated_at_ms';

/**
 * The rotation in the server database (table `settings`). A rotation of another configured
 * token is dropped when the store opens: configuring a new token is a fresh start.
 */
export function settingsRotationStore(settings: SettingsStore, configuredSha256: string): RotationStore {
  if (settings.get(KEY_REPLACED) !== configuredSha256) {
    settings.delete(KEY_CURRENT);
    settings.delete(KEY_REPLACED);
    settings.delete(KEY_ROTATED_AT);
  }
  return {
    async read() {
      const current = settings.get(KEY_CURRENT);
      const replaced = settings.get(KEY_REPLACED);
      if (current === undefined || replaced === undefined) return undefined;
      return { current, replaced, rotatedAtMs: Number(settings.get(KEY_ROTATED_AT) ?? 0) };
    },
    async write(rotation) {
      settings.set(KEY_CURRENT, rotation.current);
      settings.set(KEY_REPLACED, rotation.replaced);
      settings.set(KEY_ROTATED_AT, String(rotation.rotatedAtMs));
    },
  };
}

/** Options of {@link redisRotationStore}. */
export interface RedisRotationStoreOptions {
  readonly redis: RedisClient;
  /** REDIS_KEY_PREFIX; the rotation is the hash `<prefix>{admin-token}:rotation`. */
  readonly prefix: string;
  /** Each call answers within this long or fails with `storage_unavailable` (503). */
  readonly deadlineMs: number;
  readonly timers?: TimerProvider;
}

/**
 * The rotation in Redis, shared by every instance: one hash written with one HSET, so a reader
 * sees the whole rotation or none of it. A rotation of another configured token is ignored (not
 * deleted), so instances still configured with the replaced token keep honouring it during a
 * rolling change of `ADMIN_TOKEN`. Durable as far as the Redis persistence is (AOF).
 */
export function redisRotationStore(options: RedisRotationStoreOptions): RotationStore {
  const { redis, deadlineMs } = options;
  const timers = options.timers ?? systemTimers;
  const key = `${options.prefix}{admin-token}:rotation`;
  const detail = 'The admin credential store is unavailable; retry later';
  return {
    read: () =>
      withinDeadline(timers, deadlineMs, detail, async () => {
        const hash = await redis.hgetall(key);
        if (hash.current === undefined || hash.replaced === undefined) return undefined;
        return { current: hash.current, replaced: hash.replaced, rotatedAtMs: Number(hash.rotated_at_ms ?? 0) };
      }),
    write: (rotation) =>
      withinDeadline(timers, deadlineMs, detail, async () => {
        await redis.hset(key, {
          current: rotation.current,
          replaced: rotation.replaced,
          rotated_at_ms: String(rotation.rotatedAtMs),
        });
      }),
  };
}
