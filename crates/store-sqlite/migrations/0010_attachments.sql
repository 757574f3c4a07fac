-- Files attached to ideas; the bytes live in the object store under storage_key.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    uploader_id INTEGER NOT NULL REFERENCES accounts (id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    storage_key TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
CREATE INDEX attachments_by_idea ON attachments (idea_id, id);
