import { verificationError } from '../internal/verification-error.js';

/** `scheme://host[:port]` with nothing after it. */
const ORIGIN = /^https?:\/\/[^/?#\s@]+$/i;
/** The `scheme://authority` prefix of an absolute URL. */
const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

/** Checks the `publicOrigin` option once. */
export function validatePublicOrigin(origin: string): void {
  if (typeof origin !== 'string' || !ORIGIN.test(origin)) {
    throw new TypeError(
      `Expected \`publicOrigin\` to be an http(s) origin without a path, e.g. 'https://hooks.example.com', got ${JSON.stringify(String(origin)).slice(0, 80)}`,
    );
  }
}

/**
 * The URL the provider signed: the request's path and query behind `publicOrigin` when it is
 * set, else the request's own absolute URL. The path and query are taken character for
 * character (no normalization, which would change what was signed).
 * @throws {webhook_url_unavailable} when there is no URL, or only a path and no `publicOrigin`.
 */
export function resolveSignedUrl(url: string | undefined, publicOrigin: string | undefined): string {
  if (typeof url !== 'string' || url === '') {
    throw verificationError('webhook_url_unavailable', {
      detail: 'This scheme signs the request URL: pass `url` with the webhook (a Fetch Request carries it)',
    });
  }
  const absolute = ABSOLUTE.exec(url);
  if (publicOrigin !== undefined) return publicOrigin + (absolute ? url.slice(absolute[0].length) : url);
  if (absolute) return url;
  throw verificationError('webhook_url_unavailable', {
    detail: 'This scheme signs the full request URL but only a path was given: set `publicOrigin`',
  });
}
