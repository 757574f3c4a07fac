-- Erasure on request (crates/store/src/erasure.rs): when a person or a contact was erased. Their
-- rows stay, so that every count stays exact; their text, name and addresses do not.
ALTER TABLE accounts ADD COLUMN erased_at BIGINT;
ALTER TABLE contacts ADD COLUMN erased_at BIGINT;
