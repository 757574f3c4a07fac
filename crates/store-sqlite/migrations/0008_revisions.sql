-- Every version of an idea's text, so edits keep a history with who and when.
CREATE TABLE idea_revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    editor_id INTEGER NOT NULL REFERENCES accounts (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    tags TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX idea_revisions_by_idea ON idea_revisions (idea_id, id);
INSERT INTO idea_revisions (idea_id, editor_id, title, body, tags, created_at)
    SELECT id, author_id, title, body, tags, created_at FROM ideas;
