-- Search vectors move out of the rows they index, into `<table>_search` tables kept in step by a
-- trigger. A generated column is recomputed, and its GIN entry added again, each time anything in
-- the row changes: every support or comment rewrote an idea's vector and index entry. Now a
-- vector is written only when the text it indexes changes.

-- The trigger's arguments name the indexed columns, weighted A, B, … in that order (a single
-- column is left unweighted, as its vectors were).
CREATE FUNCTION index_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    weights CONSTANT "char"[] := '{A,B,C,D}';
    vector tsvector := to_tsvector('english', to_jsonb(NEW) ->> TG_ARGV[0]);
BEGIN
    IF TG_NARGS > 1 THEN
        vector := setweight(vector, weights[1]);
        FOR i IN 1 .. TG_NARGS - 1 LOOP
            vector := vector || setweight(to_tsvector('english', to_jsonb(NEW) ->> TG_ARGV[i]), weights[i + 1]);
        END LOOP;
    END IF;
    EXECUTE format(
        'INSERT INTO %I (id, search) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET search = EXCLUDED.search',
        TG_TABLE_NAME || '_search'
    ) USING NEW.id, vector;
    RETURN NULL;
END
$$;

-- Each table's vectors move as they are; its old GIN index has the name its search table takes.
DO $$
DECLARE
    searched text;
BEGIN
    FOREACH searched IN ARRAY ARRAY['ideas', 'comments', 'challenges'] LOOP
        EXECUTE format('DROP INDEX %I', searched || '_search');
        EXECUTE format(
            'CREATE TABLE %I (id BIGINT PRIMARY KEY REFERENCES %I (id) ON DELETE CASCADE, search tsvector NOT NULL)',
            searched || '_search', searched
        );
        EXECUTE format('INSERT INTO %I (id, search) SELECT id, search FROM %I', searched || '_search', searched);
        EXECUTE format('ALTER TABLE %I DROP COLUMN search', searched);
        EXECUTE format('CREATE INDEX %I ON %I USING GIN (search)', searched || '_search_terms', searched || '_search');
    END LOOP;
END
$$;

CREATE TRIGGER ideas_indexed AFTER INSERT OR UPDATE OF title, body ON ideas
    FOR EACH ROW EXECUTE FUNCTION index_search_text('title', 'body');
CREATE TRIGGER comments_indexed AFTER INSERT OR UPDATE OF body ON comments
    FOR EACH ROW EXECUTE FUNCTION index_search_text('body');
CREATE TRIGGER challenges_indexed AFTER INSERT OR UPDATE OF title, problem ON challenges
    FOR EACH ROW EXECUTE FUNCTION index_search_text('title', 'problem');
