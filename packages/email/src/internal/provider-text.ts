import { redactString } from '@bulwark/errors';

/** Longest provider text kept in a cause. */
const MAX_TEXT = 500;
/** Anything shaped like an address, including quoted and internationalized local parts. */
const ADDRESS = /[^\s<>"(),;:[\]]+@[^\s<>"'(),;:[\]]+/gu;

/**
 * The provider's own error text, made log-safe: addresses become `[email]`, secret-shaped
 * strings `[REDACTED]`, at most 500 characters. It travels only as an error's `cause`, never in
 * the client-facing `detail` (provider messages quote the recipients). @internal
 */
export function providerTextCause(provider: string, text: string | undefined): Error | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const safe = redactString(text.slice(0, MAX_TEXT * 2))
    .replace(ADDRESS, '[email]')
    .slice(0, MAX_TEXT);
  return new Error(`${provider} said: ${safe}`);
}

/**
 * The client-facing `detail` of a provider refusal: who refused and how (HTTP status and the
 * provider's error code or name), never the provider's text. @internal
 */
export function providerDetail(provider: string, status: number, providerCode?: string): string {
  const code = providerCode && /^[\w.:-]{1,64}$/.test(providerCode) ? `, ${providerCode}` : '';
  return `${provider} refused the message (HTTP ${status}${code})`;
}
