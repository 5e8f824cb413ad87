import type { Scope } from './scopes.js';

/** Who made a request: an admin (every scope) or an API key (its scopes). */
export interface Principal {
  readonly kind: 'token' | 'jwt' | 'api_key';
  /** `admin-token`, the JWT `sub`, or the API key id. */
  readonly subject: string;
  /** `all` for admins. */
  readonly scopes: 'all' | readonly Scope[];
}

/** Whether the principal holds `scope`. */
export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes === 'all' || principal.scopes.includes(scope);
}
