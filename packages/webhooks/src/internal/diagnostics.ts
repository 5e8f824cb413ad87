import type { WebhookVerificationError } from '../errors/webhook-error.js';
import { verificationError } from './verification-error.js';

/**
 * The error for "no signature matched". Its only hint is one the header proves: that it carried
 * no signature of a supported version. It never looks at the body: a wrong secret, a tampered
 * body and a re-serialized body are indistinguishable from a MAC mismatch, and a failure path that
 * decoded or parsed the body would make forged requests cost more than valid ones. Never includes
 * MACs.
 */
export function mismatchDiagnostics(supportedSignatures: number, header: string): WebhookVerificationError {
  if (supportedSignatures === 0) {
    return verificationError('webhook_signature_mismatch', {
      detail: `Header ${header} carries no signature of a supported version`,
      extensions: { hint: 'no_supported_version' },
    });
  }
  return verificationError('webhook_signature_mismatch', {
    detail: 'No signature matched any live key',
  });
}
