-- A person's page lists the ideas they proposed, newest first.
CREATE INDEX ideas_by_author ON ideas (author_id, id DESC);
