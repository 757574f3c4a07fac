-- The change log the embedded search index follows: every change to the text or the visibility of
-- an idea, comment or challenge appends the object's kind and id here, in the writing transaction.
-- The index reads the object's current row for each entry, so entries carry no content.
CREATE TABLE search_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    object_id INTEGER NOT NULL,
    -- Milliseconds since 1970: with seq, tells a database restored from a backup from the one an
    -- index followed.
    logged_at INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
);
CREATE INDEX search_log_by_time ON search_log (logged_at);

-- One row naming this database: an index built from another database (an import into a fresh
-- one) is rebuilt rather than caught up.
CREATE TABLE search_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    epoch TEXT NOT NULL
);
INSERT INTO search_state (id, epoch) VALUES (1, lower(hex(randomblob(16))));

CREATE TRIGGER ideas_logged_insert AFTER INSERT ON ideas BEGIN
    INSERT INTO search_log (kind, object_id) VALUES ('idea', new.id);
END;
CREATE TRIGGER ideas_logged_update
    AFTER UPDATE OF title, body, stage, hidden_at, tags, space_id, challenge_id ON ideas BEGIN
    INSERT INTO search_log (kind, object_id) VALUES ('idea', new.id);
END;
CREATE TRIGGER ideas_logged_delete AFTER DELETE ON ideas BEGIN
    INSERT INTO search_log (kind, object_id) VALUES ('idea', old.id);
END;

CREATE TRIGGER comments_logged_insert AFTER INSERT ON comments BEGIN
    INSERT INTO search_log (kind, object_id) VALUES ('comment', new.id);
END;
CREATE TRIGGER comments_logged_update AFTER UPDATE OF body, deleted_at, hidden_at ON comments BEGIN
    INSERT INTO search_log (kind, object_id) VALUES ('comment', new.id);
END;
CREATE TRIGGER comments_logged_delete AFTER DELETE ON comments BEGIN
    INSERT INTO search_log (kind, object_id) VALUES ('comment', old.id);
END;

CREATE TRIGGER challenges_logged_insert AFTER INSERT ON challenges BEGIN
    INSERT INTO search_log (kind, object_id) VALUES ('challenge', new.id);
END;
CREATE TRIGGER challenges_logged_update AFTER UPDATE OF title, problem, tags, space_id ON challenges BEGIN
    INSERT INTO search_log (kind, object_id) VALUES ('challenge', new.id);
END;
CREATE TRIGGER challenges_logged_delete AFTER DELETE ON challenges BEGIN
    INSERT INTO search_log (kind, object_id) VALUES ('challenge', old.id);
END;
