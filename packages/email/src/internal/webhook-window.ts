import { EmailConfigError } from '../errors/email-config-error.js';

/** Longest replay window any parser accepts: one day, in seconds. @internal */
export const MAX_WINDOW_SEC = 86_400;

/**
 * Reads a replay-window option (`toleranceSec`, `maxAgeSec`): a finite number of seconds in
 * (0, {@link MAX_WINDOW_SEC}], or the parser's default when absent. There is no "off": a
 * window that never closes lets a signed request from years ago verify today.
 *
 * @throws {email_config_invalid} naming the option. @internal
 */
export function windowSec(name: string, value: unknown, fallback: number): number {
  const sec = value === undefined ? fallback : value;
  if (typeof sec !== 'number' || !Number.isFinite(sec) || sec <= 0 || sec > MAX_WINDOW_SEC) {
    throw new EmailConfigError(
      name,
      `Expected \`${name}\` to be a number of seconds in (0, ${MAX_WINDOW_SEC}], got ${String(sec)}`,
    );
  }
  return sec;
}

/**
 * Whether `atMs` lies within `windowSec` of `nowMs`, past or future, edges included:
 * exactly `windowSec` away is accepted, one millisecond more is not. @internal
 */
export function withinWindow(nowMs: number, atMs: number, windowSec: number): boolean {
  return Number.isFinite(atMs) && Math.abs(nowMs - atMs) <= windowSec * 1000;
}
