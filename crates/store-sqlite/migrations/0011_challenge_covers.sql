-- A cover image for each challenge, kept in the object store under cover_key.
ALTER TABLE challenges ADD COLUMN cover_key TEXT;
ALTER TABLE challenges ADD COLUMN cover_type TEXT;
