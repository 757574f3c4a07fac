-- What a partner (or a company's integration) sent in on customers' behalf, newest first.
-- crates/store/src/feedback.rs.
CREATE INDEX feedback_by_sender ON feedback (submitted_by, id) WHERE submitted_by IS NOT NULL;
