import { verificationError } from './verification-error.js';

/** 1-10 ASCII digits, no sign, no leading zero (except "0"): Unix seconds up to year 2286. */
const TIMESTAMP = /^(?:0|[1-9][0-9]{0,9})$/;

/**
 * Parses a timestamp header strictly.
 * @throws {webhook_timestamp_invalid} for anything but 1-10 digits (e.g. milliseconds, decimals, spaces).
 */
export function parseTimestamp(value: string, header: string): number {
  if (!TIMESTAMP.test(value)) {
    const detail = /^[0-9]{11,}$/.test(value)
      ? `Header ${header} has ${value.length} digits; send Unix seconds, not milliseconds`
      : `Header ${header} must be Unix seconds as ASCII digits`;
    throw verificationError('webhook_timestamp_invalid', { detail });
  }
  return Number(value);
}

/** Seconds of clock skew accepted on each side of `now`. */
export interface Tolerance {
  /** How old a timestamp may be, in seconds. Type: `number`. Default: `300`. */
  readonly pastSec?: number;
  /** How far in the future a timestamp may be, in seconds. Type: `number`. Default: `300`. */
  readonly futureSec?: number;
}

/**
 * Checks `timestampSec` against `nowMs`: accepted when
 * `nowMs - pastSec*1000 <= timestampSec*1000 <= nowMs + futureSec*1000` (both bounds inclusive).
 * @throws {webhook_timestamp_too_old}
 * @throws {webhook_timestamp_in_future}
 */
export function checkTolerance(timestampSec: number, nowMs: number, pastSec: number, futureSec: number): void {
  const tsMs = timestampSec * 1000;
  if (nowMs - tsMs > pastSec * 1000) {
    throw verificationError('webhook_timestamp_too_old', {
      detail: `The timestamp is older than the ${pastSec} s tolerance`,
    });
  }
  if (tsMs - nowMs > futureSec * 1000) {
    throw verificationError('webhook_timestamp_in_future', {
      detail: `The timestamp is more than ${futureSec} s in the future`,
    });
  }
}
