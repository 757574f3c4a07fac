-- Full-text search over ideas: an FTS5 index kept by the store in the same transaction as the
-- idea it indexes (external content; no triggers).
CREATE VIRTUAL TABLE ideas_fts USING fts5 (title, body, content = 'ideas', content_rowid = 'id', tokenize = 'porter unicode61');
INSERT INTO ideas_fts (rowid, title, body) SELECT id, title, body FROM ideas;
