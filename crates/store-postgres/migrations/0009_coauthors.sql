-- Co-authors of an idea, invited by its lead author, who accept before they count.
CREATE TABLE idea_authors (
    idea_id BIGINT NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    accepted_at BIGINT,
    invited_at BIGINT NOT NULL,
    PRIMARY KEY (idea_id, account_id)
);
CREATE INDEX idea_authors_by_account ON idea_authors (account_id);
