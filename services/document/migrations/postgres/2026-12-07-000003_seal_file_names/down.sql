-- Sealed values stay sealed: run with the keys that wrote them or restore a backup.
ALTER TABLE documents DROP COLUMN sealed;
