-- Rank columns for the hot and trending lists, refreshed in batches, each with its index.
ALTER TABLE ideas ADD COLUMN hot BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ideas ADD COLUMN trending BIGINT NOT NULL DEFAULT 0;
CREATE INDEX ideas_hot ON ideas (space_id, hot DESC, id DESC);
CREATE INDEX ideas_trending ON ideas (space_id, trending DESC, id DESC);
CREATE INDEX supports_recent ON supports (idea_id, created_at);
