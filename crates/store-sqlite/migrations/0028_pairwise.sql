-- Pairwise ranking: "which of these two ideas?" answers in a challenge, and each compared pair's
-- tally the ranking is fitted from. crates/store/src/pairwise.rs.
CREATE TABLE pairwise_answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    challenge_id INTEGER NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The pair, the lower id first whichever way round it was shown.
    low_idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    high_idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    -- The idea picked; NULL for a skip.
    picked_idea_id INTEGER REFERENCES ideas (id) ON DELETE CASCADE,
    answered_at INTEGER NOT NULL,
    CHECK (low_idea_id < high_idea_id),
    CHECK (picked_idea_id IS NULL OR picked_idea_id IN (low_idea_id, high_idea_id)),
    -- One answer per pair per person.
    UNIQUE (account_id, low_idea_id, high_idea_id)
);
CREATE INDEX pairwise_answers_by_person ON pairwise_answers (challenge_id, account_id);
-- Kept in each answer's transaction.
CREATE TABLE pairwise_tallies (
    challenge_id INTEGER NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
    low_idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    high_idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    low_wins INTEGER NOT NULL DEFAULT 0,
    high_wins INTEGER NOT NULL DEFAULT 0,
    skips INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (low_idea_id, high_idea_id)
);
CREATE INDEX pairwise_tallies_by_challenge ON pairwise_tallies (challenge_id);
-- Bumped by every answer in the challenge, under whose row answers queue: an unchanged version
-- means an unchanged ranking.
CREATE TABLE pairwise_versions (
    challenge_id INTEGER PRIMARY KEY REFERENCES challenges (id) ON DELETE CASCADE,
    version INTEGER NOT NULL
);
