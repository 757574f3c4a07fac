-- News for many people, written as one event in the change's transaction and delivered by a job
-- in batches of recipients in account-id order (crates/store/src/fanout.rs). A delivered event is
-- removed.
CREATE TABLE fanouts (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('comment', 'decision')),
    idea_id BIGINT NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    comment_id BIGINT REFERENCES comments (id),
    skip_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    after_account_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
