-- Threaded comments on ideas, follows, and in-app notifications.

ALTER TABLE ideas ADD COLUMN comments INTEGER NOT NULL DEFAULT 0;

CREATE TABLE comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES comments (id),
    depth INTEGER NOT NULL,
    author_id INTEGER NOT NULL REFERENCES accounts (id),
    body TEXT NOT NULL,
    body_html TEXT NOT NULL,
    official INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    edited_at INTEGER,
    deleted_at INTEGER
);
CREATE INDEX comments_by_idea ON comments (idea_id, id);

CREATE TABLE follows (
    idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (idea_id, account_id)
);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    idea_id INTEGER REFERENCES ideas (id) ON DELETE CASCADE,
    comment_id INTEGER REFERENCES comments (id),
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER
);
CREATE INDEX notifications_by_account ON notifications (account_id, id);
CREATE INDEX notifications_unread ON notifications (account_id, read_at);
