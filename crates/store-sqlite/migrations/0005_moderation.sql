-- Flags raised by readers, and content hidden by moderators (kept, not deleted).

ALTER TABLE ideas ADD COLUMN hidden_at INTEGER;
ALTER TABLE ideas ADD COLUMN hidden_reason TEXT;
ALTER TABLE comments ADD COLUMN hidden_at INTEGER;
ALTER TABLE comments ADD COLUMN hidden_reason TEXT;

CREATE TABLE flags (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('idea', 'comment')),
    target_id INTEGER NOT NULL,
    space_id INTEGER NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    reporter_id INTEGER NOT NULL REFERENCES accounts (id),
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    resolved_at INTEGER,
    resolved_by INTEGER REFERENCES accounts (id)
);
-- One open flag per person and item; once resolved, the same person may flag it again.
CREATE UNIQUE INDEX flags_once ON flags (target_kind, target_id, reporter_id) WHERE resolved_at IS NULL;
CREATE INDEX flags_open ON flags (resolved_at, space_id, id);
