-- Possible duplicates: pairs of ideas in a space whose words are much alike, waiting for staff
-- to merge one into the other or to mark them distinct. crates/store/src/duplicates.rs.
CREATE TABLE duplicate_pairs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    space_id INTEGER NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    -- The pair, the lower id first.
    first_idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    second_idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    -- How alike, in thousandths: the share of word stems the two have in common.
    similarity INTEGER NOT NULL CHECK (similarity BETWEEN 0 AND 1000),
    status TEXT NOT NULL CHECK (status IN ('open', 'dismissed', 'merged')),
    found_at INTEGER NOT NULL,
    decided_by INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    decided_at INTEGER,
    CHECK (first_idea_id < second_idea_id),
    UNIQUE (first_idea_id, second_idea_id)
);
-- The queue: a space's open pairs, most alike first.
CREATE INDEX duplicate_pairs_queue ON duplicate_pairs (space_id, status, similarity DESC, id DESC);
CREATE INDEX duplicate_pairs_by_second ON duplicate_pairs (second_idea_id);
