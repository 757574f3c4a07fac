-- Every support and comment rewrites its idea's counters and ranks. Those columns are indexed, so
-- each rewrite leaves a dead row version in all of the table's indexes, and the counters' churn
-- alone had autovacuum analyze the table every minute under load (10% of its rows changed),
-- though the columns queries filter on (space, stage, challenge, tags, times) change only with
-- new ideas. Vacuum in smaller, more frequent passes (after 5% of the rows changed, not 20%),
-- analyze after half of them changed, and keep no statistics of free text that no query filters
-- on (a third of analyze's time on generated data).
ALTER TABLE ideas SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.5);
ALTER TABLE ideas
    ALTER COLUMN title SET STATISTICS 0,
    ALTER COLUMN body SET STATISTICS 0,
    ALTER COLUMN body_html SET STATISTICS 0;
