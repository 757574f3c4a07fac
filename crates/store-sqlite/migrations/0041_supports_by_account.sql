-- A person's supports are read through (account_id, created_at, idea_id) alone: with a second
-- index on (account_id, idea_id) beside it, PostgreSQL read all of a busy supporter's rows
-- through that one and sorted them for the first page of their timeline. Whether someone
-- supports an idea is answered by the primary key (idea_id, account_id).
DROP INDEX supports_by_account;
