-- An idea's supporters and author are told in the app when it climbs a tier ('milestone'), as
-- they are of decisions.
ALTER TABLE fanouts DROP CONSTRAINT fanouts_kind_check;
ALTER TABLE fanouts ADD CONSTRAINT fanouts_kind_check
    CHECK (kind IN ('comment', 'decision', 'milestone'));
