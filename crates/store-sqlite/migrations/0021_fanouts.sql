-- News for many people, written as one event in the change's transaction and delivered by a job
-- in batches of recipients in account-id order (crates/store/src/fanout.rs). A delivered event is
-- removed.
CREATE TABLE fanouts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('comment', 'decision')),
    idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    comment_id INTEGER REFERENCES comments (id),
    skip_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    after_account_id INTEGER NOT NULL,
    -- Failed deliveries; an event that keeps failing is set aside after five, so that it holds
    -- up no other news (it stays here for an operator to look at).
    failures INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
-- Whether someone was told of a comment already (mentioned in it, say).
CREATE INDEX notifications_by_comment ON notifications (comment_id, account_id)
    WHERE comment_id IS NOT NULL;
