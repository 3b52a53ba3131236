-- Each attached document's size, from document-service's metadata, so that
-- the bytes an application holds are summed where uploads are admitted
-- (USER_ACTION_MAX_BYTES_PER_APPLICATION). Documents attached before this
-- count as 0 bytes: their sizes are document-service's to tell.
ALTER TABLE action_documents ADD COLUMN size BIGINT NOT NULL DEFAULT 0;
