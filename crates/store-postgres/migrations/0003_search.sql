-- Full-text search over ideas: a generated tsvector (title weighted above body) with a GIN index,
-- always in step with the row it belongs to.
ALTER TABLE ideas ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')
) STORED;
CREATE INDEX ideas_search ON ideas USING GIN (search);
