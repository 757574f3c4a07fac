-- The change log the embedded search index follows: every change to the text or the visibility of
-- an idea, comment or challenge appends the object's kind and id here, in the writing transaction.
-- The index reads the object's current row for each entry, so entries carry no content.
-- Concurrent transactions may commit their entries out of seq order; the index re-reads the gaps.
CREATE TABLE search_log (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    object_id BIGINT NOT NULL,
    -- Milliseconds since 1970: with seq, tells a database restored from a backup from the one an
    -- index followed.
    logged_at BIGINT NOT NULL DEFAULT (extract(epoch FROM clock_timestamp()) * 1000)::bigint
);
CREATE INDEX search_log_by_time ON search_log (logged_at);

-- One row naming this database: an index built from another database (an import into a fresh
-- one) is rebuilt rather than caught up.
CREATE TABLE search_state (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    epoch TEXT NOT NULL
);
INSERT INTO search_state (id, epoch) VALUES (1, md5(random()::text || clock_timestamp()::text));

CREATE FUNCTION log_search_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_log (kind, object_id)
    VALUES (TG_ARGV[0], CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
    RETURN NULL;
END
$$;

CREATE TRIGGER ideas_logged AFTER INSERT OR DELETE
    OR UPDATE OF title, body, stage, hidden_at, tags, space_id, challenge_id ON ideas
    FOR EACH ROW EXECUTE FUNCTION log_search_change('idea');
CREATE TRIGGER comments_logged AFTER INSERT OR DELETE OR UPDATE OF body, deleted_at, hidden_at
    ON comments FOR EACH ROW EXECUTE FUNCTION log_search_change('comment');
CREATE TRIGGER challenges_logged AFTER INSERT OR DELETE OR UPDATE OF title, problem, tags, space_id
    ON challenges FOR EACH ROW EXECUTE FUNCTION log_search_change('challenge');
