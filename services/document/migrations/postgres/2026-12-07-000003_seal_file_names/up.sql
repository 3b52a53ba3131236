-- A document's file name, file info and client id are personal data: the
-- service seals them (AES-256-GCM, see service_kit::keyring), each bound to
-- its table, column and row (`documents.file_name:<id>`). `sealed` marks a
-- row whose values are sealed; rows written before this are sealed when the
-- service starts.
ALTER TABLE documents ADD COLUMN sealed BOOLEAN NOT NULL DEFAULT FALSE;
