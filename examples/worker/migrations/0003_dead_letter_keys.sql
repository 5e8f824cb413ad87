-- One dead letter per delivery: a dead letter delivered again (Queues delivers at least once; a batch
-- retried after a D1 failure) is not written twice (src/dead-letter-consumer.ts).
ALTER TABLE dead_letters ADD COLUMN dedupe_key TEXT;

CREATE UNIQUE INDEX IF NOT EXISTS dead_letters_by_key ON dead_letters (dedupe_key);
