-- no-transaction
-- Comments and flags may belong to a challenge instead of an idea. SQLite cannot relax NOT NULL in
-- place, so both tables are rebuilt the way its documentation prescribes: foreign keys off, one
-- transaction, rows copied with their ids, indexes and triggers recreated.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE comments_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idea_id INTEGER REFERENCES ideas (id) ON DELETE CASCADE,
    challenge_id INTEGER REFERENCES challenges (id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES comments (id),
    depth INTEGER NOT NULL,
    author_id INTEGER NOT NULL REFERENCES accounts (id),
    body TEXT NOT NULL,
    body_html TEXT NOT NULL,
    official INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    edited_at INTEGER,
    deleted_at INTEGER,
    hidden_at INTEGER,
    hidden_reason TEXT,
    CHECK ((idea_id IS NULL) <> (challenge_id IS NULL))
);
INSERT INTO comments_rebuilt (id, idea_id, parent_id, depth, author_id, body, body_html, official,
                              created_at, edited_at, deleted_at, hidden_at, hidden_reason)
SELECT id, idea_id, parent_id, depth, author_id, body, body_html, official,
       created_at, edited_at, deleted_at, hidden_at, hidden_reason FROM comments;
DROP TABLE comments;
ALTER TABLE comments_rebuilt RENAME TO comments;
CREATE INDEX comments_by_idea ON comments (idea_id, id);
CREATE INDEX comments_by_challenge ON comments (challenge_id, id);
CREATE TRIGGER comments_fts_insert AFTER INSERT ON comments BEGIN
    INSERT INTO comments_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER comments_fts_update AFTER UPDATE OF body ON comments BEGIN
    INSERT INTO comments_fts (comments_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO comments_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER comments_fts_delete AFTER DELETE ON comments BEGIN
    INSERT INTO comments_fts (comments_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;

CREATE TABLE flags_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('idea', 'comment')),
    target_id INTEGER NOT NULL,
    space_id INTEGER NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    idea_id INTEGER REFERENCES ideas (id) ON DELETE CASCADE,
    challenge_id INTEGER REFERENCES challenges (id) ON DELETE CASCADE,
    reporter_id INTEGER NOT NULL REFERENCES accounts (id),
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    resolved_at INTEGER,
    resolved_by INTEGER REFERENCES accounts (id),
    CHECK ((idea_id IS NULL) <> (challenge_id IS NULL))
);
INSERT INTO flags_rebuilt (id, target_kind, target_id, space_id, idea_id, reporter_id, reason,
                           created_at, resolved_at, resolved_by)
SELECT id, target_kind, target_id, space_id, idea_id, reporter_id, reason,
       created_at, resolved_at, resolved_by FROM flags;
DROP TABLE flags;
ALTER TABLE flags_rebuilt RENAME TO flags;
CREATE UNIQUE INDEX flags_once ON flags (target_kind, target_id, reporter_id) WHERE resolved_at IS NULL;
CREATE INDEX flags_open ON flags (resolved_at, space_id, id);

ALTER TABLE notifications ADD COLUMN challenge_id INTEGER REFERENCES challenges (id) ON DELETE CASCADE;

-- Nothing may point at a row that is not there before the change is kept (the CHECK fails the
-- migration otherwise).
CREATE TEMP TABLE rebuild_check (orphans INTEGER NOT NULL CHECK (orphans = 0));
INSERT INTO rebuild_check SELECT COUNT(*) FROM pragma_foreign_key_check;
DROP TABLE rebuild_check;
COMMIT;
PRAGMA foreign_keys = ON;
