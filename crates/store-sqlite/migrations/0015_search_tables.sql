-- PostgreSQL moves its search vectors into tables of their own here. SQLite's search indexes are
-- FTS5 tables beside the rows they index from the start (0003, 0012): nothing moves.
SELECT 1;
