import { err } from '@bulwark/errors';
import type { AdminAuth } from '../admin-auth.js';
import { API_KEY_PREFIX, type ApiKeys } from './api-keys.js';
import type { Principal } from './principal.js';

/** Resolves the principal behind an `Authorization` header, or throws `unauthorized`. */
export type Authenticator = (authorization: string | undefined) => Promise<Principal>;

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/;

/** One entry point for every credential: API keys (`bwk_…`) and admin tokens or JWTs. */
export function createAuthenticator(adminAuth: AdminAuth, apiKeys: ApiKeys): Authenticator {
  return async (authorization) => {
    const credential = BEARER.exec(authorization ?? '')?.[1];
    if (!credential)
      throw err('unauthorized', { detail: 'Send `Authorization: Bearer <API key or admin credential>`' });
    if (credential.startsWith(API_KEY_PREFIX)) {
      const key = await apiKeys.verify(credential);
      if (!key) throw err('unauthorized', { detail: 'Invalid or revoked API key' });
      return { kind: 'api_key', subject: key.id, scopes: key.scopes };
    }
    return adminAuth.authenticate(credential);
  };
}
