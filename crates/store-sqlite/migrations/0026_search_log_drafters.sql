-- A draft is found in search by its lead author and co-authors (invited ones included): inviting
-- or removing a co-author changes who finds it, so the index re-reads the idea.
CREATE TRIGGER idea_authors_logged_insert AFTER INSERT ON idea_authors BEGIN
    INSERT INTO search_log (kind, object_id) VALUES ('idea', new.idea_id);
END;
CREATE TRIGGER idea_authors_logged_delete AFTER DELETE ON idea_authors BEGIN
    INSERT INTO search_log (kind, object_id) VALUES ('idea', old.idea_id);
END;
