import { FakeClock } from '@bulwark/testing';

/** A fixed secret (32 bytes: 0x00..0x1f) used across tests. */
export const SECRET = `whsec_${btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i)))}`;
/** A second secret (32 bytes of 0x42). */
export const NEXT_SECRET = `whsec_${btoa('B'.repeat(32))}`;
/** 2023-11-14T22:13:20Z. */
export const NOW_SEC = 1_700_000_000;

export function clockAt(seconds = NOW_SEC): FakeClock {
  return new FakeClock(seconds * 1000);
}

/** Catches the rejection of `promise` (fails if it resolves). */
export async function rejection(
  promise: Promise<unknown>,
): Promise<{ code?: string; name?: string; extensions?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string };
  }
  throw new Error('expected a rejection');
}
