-- PostgreSQL sets how often autovacuum vacuums and analyzes ideas here. SQLite has no autovacuum
-- of dead rows (it rewrites pages in place): nothing changes.
SELECT 1;
