-- Ids of the inbound webhooks already accepted, kept for the verifier's tolerance window: replay
-- protection shared by every isolate (src/d1-replay-store.ts). The primary key decides a claim.
CREATE TABLE IF NOT EXISTS inbound_webhook_ids (
  key TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS inbound_webhook_ids_by_expiry ON inbound_webhook_ids (expires_at);
