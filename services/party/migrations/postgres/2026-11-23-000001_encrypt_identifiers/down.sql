-- Sealed values stay sealed: run with the keys that wrote them or restore a backup.
DROP INDEX party_identifiers_by_key;
ALTER TABLE party_identifiers DROP COLUMN value_key;
CREATE INDEX party_identifiers_by_value ON party_identifiers (id_type, value);
