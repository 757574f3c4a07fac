-- PostgreSQL replaces its search trigger function with one per table here. SQLite's FTS5 tables
-- are written by the store (0003, 0012): nothing changes.
SELECT 1;
