-- One plain trigger function per searched table in place of migration 15's shared one. That one
-- converted the whole row to JSON once per indexed column and ran its insert as dynamic SQL,
-- about 30 µs a row against 18 µs for these; a bulk import writes every row through them. The
-- vectors are the same: the first column weighted A, the second B, a single column unweighted.

CREATE FUNCTION index_idea_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ideas_search (id, search)
    VALUES (NEW.id, setweight(to_tsvector('english', NEW.title), 'A')
                    || setweight(to_tsvector('english', NEW.body), 'B'))
    ON CONFLICT (id) DO UPDATE SET search = EXCLUDED.search;
    RETURN NULL;
END
$$;

CREATE FUNCTION index_comment_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO comments_search (id, search)
    VALUES (NEW.id, to_tsvector('english', NEW.body))
    ON CONFLICT (id) DO UPDATE SET search = EXCLUDED.search;
    RETURN NULL;
END
$$;

CREATE FUNCTION index_challenge_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO challenges_search (id, search)
    VALUES (NEW.id, setweight(to_tsvector('english', NEW.title), 'A')
                    || setweight(to_tsvector('english', NEW.problem), 'B'))
    ON CONFLICT (id) DO UPDATE SET search = EXCLUDED.search;
    RETURN NULL;
END
$$;

DROP TRIGGER ideas_indexed ON ideas;
DROP TRIGGER comments_indexed ON comments;
DROP TRIGGER challenges_indexed ON challenges;
DROP FUNCTION index_search_text();

CREATE TRIGGER ideas_indexed AFTER INSERT OR UPDATE OF title, body ON ideas
    FOR EACH ROW EXECUTE FUNCTION index_idea_text();
CREATE TRIGGER comments_indexed AFTER INSERT OR UPDATE OF body ON comments
    FOR EACH ROW EXECUTE FUNCTION index_comment_text();
CREATE TRIGGER challenges_indexed AFTER INSERT OR UPDATE OF title, problem ON challenges
    FOR EACH ROW EXECUTE FUNCTION index_challenge_text();
