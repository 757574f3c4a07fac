-- Every account has a unique handle by which others mention it (`@handle`). New accounts take
-- one from their name; accounts that existed before are numbered.
ALTER TABLE accounts ADD COLUMN handle TEXT;
UPDATE accounts SET handle = 'member-' || id;
CREATE UNIQUE INDEX accounts_by_handle ON accounts (handle);
