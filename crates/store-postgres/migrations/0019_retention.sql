-- Retention removes records in batches by age (crates/store/src/retention.rs); each removal finds
-- its batch through one of these indexes instead of reading the whole table.
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE INDEX account_tokens_by_expiry ON account_tokens (expires_at);
CREATE INDEX invitations_open_by_expiry ON invitations (expires_at) WHERE accepted_at IS NULL;
CREATE INDEX api_tokens_revoked ON api_tokens (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
CREATE INDEX notifications_read ON notifications (read_at) WHERE read_at IS NOT NULL;
CREATE INDEX outbox_finished ON outbox (finished_at) WHERE finished_at IS NOT NULL;
