-- Opinions: short statements in a challenge that people vote agree, disagree or pass on, and the
-- people known without an account who voted in a conversation imported from elsewhere (a Polis
-- export). crates/store/src/opinions.rs.
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Where they were met (a Polis conversation's address), and who they were there.
    source TEXT NOT NULL,
    external_ref TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (source, external_ref)
);
-- The conversation a challenge was imported from, so that importing it again adds nothing.
CREATE TABLE challenge_sources (
    source TEXT PRIMARY KEY,
    challenge_id INTEGER NOT NULL UNIQUE REFERENCES challenges (id) ON DELETE CASCADE
);
CREATE TABLE statements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    challenge_id INTEGER NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    author_account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    author_contact_id INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
    -- Moderated out: shown to no one but moderators, and left out of opinion groups.
    hidden INTEGER NOT NULL DEFAULT 0,
    -- Its id where it was imported from.
    external_ref TEXT,
    -- Kept in the transaction of each vote.
    agrees INTEGER NOT NULL DEFAULT 0,
    disagrees INTEGER NOT NULL DEFAULT 0,
    passes INTEGER NOT NULL DEFAULT 0,
    -- Bumped by each change to the counts: unchanged versions mean unchanged votes.
    version INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (challenge_id, external_ref)
);
CREATE INDEX statements_by_challenge ON statements (challenge_id, id);
-- One vote per person per statement: an account's, or an imported contact's.
CREATE TABLE opinion_votes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    statement_id INTEGER NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    account_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    contact_id INTEGER REFERENCES contacts (id) ON DELETE CASCADE,
    opinion INTEGER NOT NULL CHECK (opinion IN (-1, 0, 1)),
    voted_at INTEGER NOT NULL,
    CHECK ((account_id IS NULL) <> (contact_id IS NULL))
);
CREATE UNIQUE INDEX opinion_votes_by_account ON opinion_votes (statement_id, account_id)
    WHERE account_id IS NOT NULL;
CREATE UNIQUE INDEX opinion_votes_by_contact ON opinion_votes (statement_id, contact_id)
    WHERE contact_id IS NOT NULL;
-- A statement's votes by opinion: counting them afresh after an import, and reading a
-- challenge's votes statement by statement.
CREATE INDEX opinion_votes_by_statement ON opinion_votes (statement_id, opinion);
