-- An idea's supporters and author are told in the app when it climbs a tier ('milestone'), as
-- they are of decisions. SQLite cannot change a CHECK in place: the table is rebuilt (it holds only
-- news still being delivered, and nothing refers to it).
CREATE TABLE fanouts_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('comment', 'decision', 'milestone')),
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
