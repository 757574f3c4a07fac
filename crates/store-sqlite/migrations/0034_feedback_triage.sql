-- Feedback triage: a piece linked to the idea it is evidence for, staff's answer to it, and news
-- of the linked idea's decisions for those who asked ('asked'). SQLite cannot change a CHECK in
-- place: the fan-out table is rebuilt (it holds only news still being delivered, and nothing
-- refers to it). crates/store/src/feedback.rs, crates/store/src/fanout.rs.
ALTER TABLE feedback ADD COLUMN idea_id INTEGER REFERENCES ideas (id) ON DELETE SET NULL;
ALTER TABLE feedback ADD COLUMN answer TEXT;
-- An idea's evidence, and the accounts to tell of its decisions.
CREATE INDEX feedback_by_idea ON feedback (idea_id, author_account_id) WHERE idea_id IS NOT NULL;
CREATE TABLE fanouts_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('comment', 'decision', 'milestone', 'asked')),
    idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    comment_id INTEGER REFERENCES comments (id),
    skip_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    after_account_id INTEGER NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
INSERT INTO fanouts_new
    (id, kind, idea_id, comment_id, skip_account_id, subject, body, after_account_id, failures,
     created_at)
SELECT id, kind, idea_id, comment_id, skip_account_id, subject, body, after_account_id, failures,
    created_at
FROM fanouts;
DROP TABLE fanouts;
ALTER TABLE fanouts_new RENAME TO fanouts;
