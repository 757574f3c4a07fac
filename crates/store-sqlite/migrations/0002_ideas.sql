-- Challenges, ideas, supports and the history of each idea's stages.

CREATE TABLE challenges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    space_id INTEGER NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    problem TEXT NOT NULL,
    problem_html TEXT NOT NULL,
    questions TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '',
    tiers TEXT NOT NULL,
    opens_at INTEGER,
    closes_at INTEGER,
    created_by INTEGER NOT NULL REFERENCES accounts (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX challenges_by_space ON challenges (space_id, id);

CREATE TABLE ideas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    space_id INTEGER NOT NULL REFERENCES spaces (id) ON DELETE CASCADE,
    challenge_id INTEGER REFERENCES challenges (id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    body_html TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '',
    author_id INTEGER NOT NULL REFERENCES accounts (id),
    stage TEXT NOT NULL,
    supporters INTEGER NOT NULL DEFAULT 0,
    tiers TEXT NOT NULL,
    tier INTEGER NOT NULL DEFAULT 0,
    tier_deadline INTEGER,
    merged_into INTEGER REFERENCES ideas (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX ideas_newest ON ideas (space_id, created_at DESC, id DESC);
CREATE INDEX ideas_top ON ideas (space_id, supporters DESC, id DESC);
CREATE INDEX ideas_by_challenge ON ideas (challenge_id, created_at DESC, id DESC);
CREATE INDEX ideas_due ON ideas (stage, tier_deadline);

CREATE TABLE supports (
    idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (idea_id, account_id)
);
CREATE INDEX supports_by_account ON supports (account_id, idea_id);

CREATE TABLE idea_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    actor_id INTEGER REFERENCES accounts (id),
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    rationale TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX idea_events_by_idea ON idea_events (idea_id, id);
