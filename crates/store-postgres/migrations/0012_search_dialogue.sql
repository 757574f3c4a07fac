-- Full-text search over comments and challenges: generated tsvectors with GIN indexes, always in
-- step with their rows (deleted and hidden comments are filtered when searching).
ALTER TABLE comments ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED;
CREATE INDEX comments_search ON comments USING GIN (search);
ALTER TABLE challenges ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', problem), 'B')
) STORED;
CREATE INDEX challenges_search ON challenges USING GIN (search);
