import { defineErrors } from '@bulwark/errors';

/** Error codes the reference server adds to the shared catalogs. */
export const serverErrors = defineErrors({
  unsupported_media_type: {
    status: 415,
    title: 'Unsupported Media Type',
    description: 'JSON routes accept only `Content-Type: application/json`.',
  },
  storage_unavailable: {
    status: 503,
    title: 'Storage Unavailable',
    retryable: true,
    description: 'The server could not write durably (disk full, store unreachable); retry later.',
  },
  storage_quota_exceeded: {
    status: 507,
    title: 'Storage Quota Exceeded',
    retryable: true,
    description:
      'Pending events of this key or endpoint already use their storage budget; retry once they are delivered.',
  },
  auth_throttled: {
    status: 429,
    title: 'Too Many Failed Authentications',
    retryable: true,
    description: 'Too many failed authentication attempts from this address; wait for Retry-After.',
  },
  event_id_conflict: {
    status: 409,
    title: 'Event Id Reused',
    description: 'This event id was already published with a different payload.',
  },
  sender_not_allowed: {
    status: 422,
    title: 'Sender Not Allowed',
    description: 'The `from` address is not in a configured sender domain.',
  },
});
