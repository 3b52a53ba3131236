ALTER TABLE action_documents DROP COLUMN size;
