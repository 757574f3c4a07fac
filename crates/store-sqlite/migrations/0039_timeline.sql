-- Customer timelines (crates/store/src/timeline.rs): each kind of event a person's timeline
-- shows is read newest first through an index on whose and when, so a page costs the same
-- however long their history.
--
-- When feedback was answered, kept apart from the status time that later changes move.
ALTER TABLE feedback ADD COLUMN answered_at INTEGER;
UPDATE feedback SET answered_at = status_at WHERE answer IS NOT NULL;
-- The stage change a decision's news announces, so that each person told has it on their
-- timeline (stage_news, written as the news is delivered).
ALTER TABLE fanouts ADD COLUMN event_id INTEGER REFERENCES idea_events (id);
CREATE TABLE stage_news (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    event_id INTEGER NOT NULL REFERENCES idea_events (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, event_id)
);
CREATE INDEX stage_news_by_account ON stage_news (account_id, created_at, event_id);
CREATE INDEX stage_news_by_event ON stage_news (event_id);
-- Stage changes made before: their idea's author, supporters who supported it by then, and
-- those whose feedback is linked to it.
INSERT INTO stage_news (account_id, event_id, created_at)
SELECT i.author_id, e.id, e.created_at FROM idea_events e JOIN ideas i ON i.id = e.idea_id
WHERE e.from_stage IS NOT NULL
UNION
SELECT s.account_id, e.id, e.created_at FROM idea_events e JOIN supports s ON s.idea_id = e.idea_id
WHERE e.from_stage IS NOT NULL AND s.created_at <= e.created_at
UNION
SELECT f.author_account_id, e.id, e.created_at FROM idea_events e JOIN feedback f ON f.idea_id = e.idea_id
WHERE e.from_stage IS NOT NULL AND f.author_account_id IS NOT NULL;
CREATE INDEX ideas_by_author_time ON ideas (author_id, created_at, id);
DROP INDEX comments_by_author;
CREATE INDEX comments_by_author ON comments (author_id, created_at, id);
CREATE INDEX idea_authors_by_acceptance ON idea_authors (account_id, accepted_at, idea_id)
    WHERE accepted_at IS NOT NULL;
CREATE INDEX supports_by_account_time ON supports (account_id, created_at, idea_id);
DROP INDEX feedback_by_account;
CREATE INDEX feedback_by_account ON feedback (author_account_id, created_at, id);
DROP INDEX feedback_by_contact;
CREATE INDEX feedback_by_contact ON feedback (author_contact_id, created_at, id);
CREATE INDEX feedback_answered_by_account ON feedback (author_account_id, answered_at, id)
    WHERE answered_at IS NOT NULL;
CREATE INDEX feedback_answered_by_contact ON feedback (author_contact_id, answered_at, id)
    WHERE answered_at IS NOT NULL;
-- The customer list: everyone who gave feedback, most recently heard from first.
CREATE INDEX feedback_by_time ON feedback (created_at, id);
