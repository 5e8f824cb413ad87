import { BulwarkError, isBulwarkError } from '@bulwark/errors';

/** A stored outcome: a value, or a BulwarkError kept by `storeErrors`. @internal */
type Envelope =
  | { readonly ok: true; readonly v?: unknown }
  | {
      readonly ok: false;
      readonly e: {
        readonly code: string;
        readonly status: number;
        readonly title: string;
        readonly retryable: boolean;
        readonly detail?: string | undefined;
      };
    };

/** Serializes a value (JSON) for the store. @internal */
export function encodeValue(value: unknown): string {
  return JSON.stringify({ ok: true, v: value } satisfies Envelope);
}

/** Serializes a BulwarkError's public fields (never its cause or stack). @internal */
export function encodeError(error: BulwarkError): string {
  const { code, status, title, retryable, detail } = error;
  return JSON.stringify({ ok: false, e: { code, status, title, retryable, detail } } satisfies Envelope);
}

/** Whether `storeErrors` may keep this error: only BulwarkErrors serialize faithfully. @internal */
export function isStorableError(error: unknown): error is BulwarkError {
  return isBulwarkError(error);
}

/**
 * Decodes a stored outcome: the value, or a thrown BulwarkError rebuilt from the stored fields
 * (with `replayed: true` among its extensions).
 * @internal
 */
export function decodeOutcome(text: string): unknown {
  const envelope = JSON.parse(text) as Envelope;
  if (envelope.ok) return envelope.v;
  const { code, status, title, retryable, detail } = envelope.e;
  throw new BulwarkError({ code, status, title, retryable, detail, extensions: { replayed: true } });
}
