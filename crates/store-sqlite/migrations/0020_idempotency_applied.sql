-- When the change an idempotency key guards was committed, in that change's own transaction: a
-- retry after a crash before the answer was recorded must not make the change again.
ALTER TABLE idempotency_keys ADD COLUMN applied_at INTEGER;
