-- Feedback triage: a piece linked to the idea it is evidence for, staff's answer to it, and news
-- of the linked idea's decisions for those who asked ('asked').
-- crates/store/src/feedback.rs, crates/store/src/fanout.rs.
ALTER TABLE feedback ADD COLUMN idea_id BIGINT REFERENCES ideas (id) ON DELETE SET NULL;
ALTER TABLE feedback ADD COLUMN answer TEXT;
-- An idea's evidence, and the accounts to tell of its decisions.
CREATE INDEX feedback_by_idea ON feedback (idea_id, author_account_id) WHERE idea_id IS NOT NULL;
ALTER TABLE fanouts DROP CONSTRAINT fanouts_kind_check;
ALTER TABLE fanouts ADD CONSTRAINT fanouts_kind_check
    CHECK (kind IN ('comment', 'decision', 'milestone', 'asked'));
