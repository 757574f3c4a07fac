-- Possible duplicates: pairs of ideas in a space whose words are much alike, waiting for staff
-- to merge one into the other or to mark them distinct. crates/store/src/duplicates.rs.
CREATE TABLE duplicate_pairs (
    id BIGSERIAL PRIMARY KEY,
    space_id BIGINT NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    -- The pair, the lower id first.
    first_idea_id BIGINT NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    second_idea_id BIGINT NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    -- How alike, in thousandths: the share of word stems the two have in common.
    similarity BIGINT NOT NULL CHECK (similarity BETWEEN 0 AND 1000),
    status TEXT NOT NULL CHECK (status IN ('open', 'dismissed', 'merged')),
    found_at BIGINT NOT NULL,
    decided_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    decided_at BIGINT,
    CHECK (first_idea_id < second_idea_id),
    UNIQUE (first_idea_id, second_idea_id)
);
-- The queue: a space's open pairs, most alike first.
CREATE INDEX duplicate_pairs_queue ON duplicate_pairs (space_id, status, similarity DESC, id DESC);
CREATE INDEX duplicate_pairs_by_second ON duplicate_pairs (second_idea_id);
