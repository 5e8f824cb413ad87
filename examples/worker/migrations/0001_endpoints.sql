-- The endpoint registry and the dead letters of the reference Worker (D1 / SQLite).
-- Apply with: wrangler d1 migrations apply bulwark-worker --remote
CREATE TABLE IF NOT EXISTS endpoints (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  event_types TEXT NOT NULL DEFAULT '[]',
  enabled INTEGER NOT NULL DEFAULT 1,
  disabled_reason TEXT,
  sealed_secret TEXT NOT NULL,
  rate_limit INTEGER,
  rate_interval_ms INTEGER,
  failing_since INTEGER,
  created_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT,
  endpoint_id TEXT,
  error TEXT NOT NULL,
  attempts INTEGER, -- NULL: moved by Queues after max_retries, which does not say how many
  created_at INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS dead_letters_by_endpoint ON dead_letters (endpoint_id, id);
