import { WebhookVerificationError } from '../errors/webhook-error.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

function looksLikeJson(body: string | Uint8Array): boolean {
  try {
    const text = typeof body === 'string' ? body : decoder.decode(body);
    const first = text.trimStart()[0];
    if (first !== '{' && first !== '[') return false;
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The error for "no signature matched", with safe hints: whether the header carried any
 * signature of a supported version, and whether the body parses as JSON (the usual cause of a
 * mismatch is a framework that parsed and re-serialized the body). Never includes MACs.
 */
export function mismatchDiagnostics(
  body: string | Uint8Array,
  supportedSignatures: number,
  header: string,
): WebhookVerificationError {
  if (supportedSignatures === 0) {
    return new WebhookVerificationError('webhook_signature_mismatch', {
      detail: `Header ${header} carries no signature of a supported version`,
      extensions: { hint: 'no_supported_version' },
    });
  }
  if (looksLikeJson(body)) {
    return new WebhookVerificationError('webhook_signature_mismatch', {
      detail:
        'No signature matched. The body is valid JSON: if it was parsed and re-serialized (e.g. by a JSON body parser), pass the raw request bytes instead',
      extensions: { hint: 'body_reserialized' },
    });
  }
  return new WebhookVerificationError('webhook_signature_mismatch', {
    detail: 'No signature matched any live key',
  });
}
