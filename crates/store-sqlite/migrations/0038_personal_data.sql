-- A person's data is read by the columns that tie it to their account (see
-- cocreate_store::personal_data): each has an index, so a download reads their rows only.
-- Columns that are mostly empty get partial indexes, which cost nothing on rows they skip.
CREATE INDEX comments_by_author ON comments (author_id);
CREATE INDEX idea_events_by_actor ON idea_events (actor_id) WHERE actor_id IS NOT NULL;
CREATE INDEX follows_by_account ON follows (account_id);
CREATE INDEX idea_revisions_by_editor ON idea_revisions (editor_id);
CREATE INDEX audit_log_by_actor ON audit_log (actor_id) WHERE actor_id IS NOT NULL;
CREATE INDEX attachments_by_uploader ON attachments (uploader_id);
CREATE INDEX flags_by_reporter ON flags (reporter_id);
CREATE INDEX flags_by_resolver ON flags (resolved_by) WHERE resolved_by IS NOT NULL;
CREATE INDEX statements_by_author ON statements (author_account_id) WHERE author_account_id IS NOT NULL;
CREATE INDEX opinion_votes_by_voter ON opinion_votes (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX duplicate_pairs_by_decider ON duplicate_pairs (decided_by) WHERE decided_by IS NOT NULL;
CREATE INDEX feedback_by_status_author ON feedback (status_by) WHERE status_by IS NOT NULL;
CREATE INDEX invitations_by_acceptor ON invitations (accepted_by) WHERE accepted_by IS NOT NULL;
CREATE INDEX spaces_by_creator ON spaces (created_by);
CREATE INDEX challenges_by_creator ON challenges (created_by);
