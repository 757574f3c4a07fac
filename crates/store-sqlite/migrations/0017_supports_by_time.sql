-- The hot rank no longer moves with time, so the minute's refresh recounts only the ideas with a
-- support that left the trending week: found by when supports were made.
CREATE INDEX supports_by_time ON supports (created_at);
