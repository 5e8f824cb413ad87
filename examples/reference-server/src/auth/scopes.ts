import { z } from 'zod';

/** What an API key may do. Admin credentials hold every scope. */
export const SCOPES = ['events:publish', 'events:read', 'email:send', 'metrics:read'] as const;

/** One scope. */
export type Scope = (typeof SCOPES)[number];

/** The scope list of `POST /admin/api-keys`, parsed strictly. */
export const scopesSchema = z
  .array(z.enum(SCOPES))
  .min(1)
  .max(SCOPES.length)
  .refine((list) => new Set(list).size === list.length, 'scopes must not repeat');
