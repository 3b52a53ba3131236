-- Sealed values stay sealed: run with the keys that wrote them or restore a backup.
DROP INDEX parties_by_date_of_birth_key;
ALTER TABLE parties DROP COLUMN date_of_birth_key;
ALTER TABLE parties DROP COLUMN sealed;
CREATE INDEX parties_by_date_of_birth ON parties (date_of_birth, id);
