-- The organisation's time zone: typed days are whole days in it and times are shown in it.
ALTER TABLE organisation ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
