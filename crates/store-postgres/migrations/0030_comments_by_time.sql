-- The staff dashboard counts a space's recent comments week by week, reading them by time.
CREATE INDEX comments_by_time ON comments (created_at);
