-- Comments and flags may belong to a challenge instead of an idea.
ALTER TABLE comments ALTER COLUMN idea_id DROP NOT NULL;
ALTER TABLE comments ADD COLUMN challenge_id BIGINT REFERENCES challenges (id) ON DELETE CASCADE;
ALTER TABLE comments ADD CONSTRAINT comments_one_subject CHECK ((idea_id IS NULL) <> (challenge_id IS NULL));
CREATE INDEX comments_by_challenge ON comments (challenge_id, id);

ALTER TABLE flags ALTER COLUMN idea_id DROP NOT NULL;
ALTER TABLE flags ADD COLUMN challenge_id BIGINT REFERENCES challenges (id) ON DELETE CASCADE;
ALTER TABLE flags ADD CONSTRAINT flags_one_subject CHECK ((idea_id IS NULL) <> (challenge_id IS NULL));

ALTER TABLE notifications ADD COLUMN challenge_id BIGINT REFERENCES challenges (id) ON DELETE CASCADE;
