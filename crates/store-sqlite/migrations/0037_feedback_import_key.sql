-- Imported feedback keeps a key naming its source row, so importing the same file again adds
-- nothing. crates/store/src/feedback_import.rs.
ALTER TABLE feedback ADD COLUMN import_key TEXT;
CREATE UNIQUE INDEX feedback_import_key ON feedback (import_key) WHERE import_key IS NOT NULL;
