-- Feedback on products from every channel, by an account or by a contact known by e-mail only.
-- crates/store/src/feedback.rs.
ALTER TABLE contacts ADD COLUMN name TEXT;
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    rating INTEGER CHECK (rating BETWEEN 1 AND 5),
    channel TEXT NOT NULL CHECK (channel IN ('web', 'api', 'email', 'import')),
    author_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    author_contact_id INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
    -- The account that sent it in on the author's behalf (an integration's token), if another.
    submitted_by INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    -- As core's Tags store them: ',a,b,'.
    tags TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'linked', 'answered', 'closed')),
    -- Why it was closed, who last changed its status, and when.
    status_note TEXT,
    status_by INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    status_at INTEGER,
    created_at INTEGER NOT NULL
);
-- The inbox: one status, newest first; or one product's.
CREATE INDEX feedback_by_status ON feedback (status, id);
CREATE INDEX feedback_by_product ON feedback (product_id, status, id);
-- A person's own feedback.
CREATE INDEX feedback_by_account ON feedback (author_account_id, id);
CREATE INDEX feedback_by_contact ON feedback (author_contact_id, id);
