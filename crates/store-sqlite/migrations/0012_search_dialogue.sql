-- Full-text search over comments and challenges: FTS5 tables over the rows they index, kept in
-- step by triggers in the writing transaction (deleted and hidden comments stay indexed and are
-- filtered when searching, as they may come back).
CREATE VIRTUAL TABLE comments_fts USING fts5 (body, content = 'comments', content_rowid = 'id', tokenize = 'porter unicode61');
INSERT INTO comments_fts (rowid, body) SELECT id, body FROM comments;
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

CREATE VIRTUAL TABLE challenges_fts USING fts5 (title, problem, content = 'challenges', content_rowid = 'id', tokenize = 'porter unicode61');
INSERT INTO challenges_fts (rowid, title, problem) SELECT id, title, problem FROM challenges;
CREATE TRIGGER challenges_fts_insert AFTER INSERT ON challenges BEGIN
    INSERT INTO challenges_fts (rowid, title, problem) VALUES (new.id, new.title, new.problem);
END;
CREATE TRIGGER challenges_fts_update AFTER UPDATE OF title, problem ON challenges BEGIN
    INSERT INTO challenges_fts (challenges_fts, rowid, title, problem) VALUES ('delete', old.id, old.title, old.problem);
    INSERT INTO challenges_fts (rowid, title, problem) VALUES (new.id, new.title, new.problem);
END;
CREATE TRIGGER challenges_fts_delete AFTER DELETE ON challenges BEGIN
    INSERT INTO challenges_fts (challenges_fts, rowid, title, problem) VALUES ('delete', old.id, old.title, old.problem);
END;
