-- A draft is found in search by its lead author and co-authors (invited ones included): inviting
-- or removing a co-author changes who finds it, so the index re-reads the idea.
CREATE FUNCTION log_search_change_of_idea() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_log (kind, object_id)
    VALUES ('idea', CASE WHEN TG_OP = 'DELETE' THEN OLD.idea_id ELSE NEW.idea_id END);
    RETURN NULL;
END
$$;

CREATE TRIGGER idea_authors_logged AFTER INSERT OR DELETE ON idea_authors
    FOR EACH ROW EXECUTE FUNCTION log_search_change_of_idea();
