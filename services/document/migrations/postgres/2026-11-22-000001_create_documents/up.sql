-- Document metadata. The content lives in the object store under
-- documents/<id>. A row is 'pending' while its content is being written,
-- 'stored' once both exist, and 'deleting' while its content is removed;
-- only 'stored' rows are ever visible. The sweeper finishes or undoes the
-- other two.
CREATE TABLE documents (
    id             TEXT PRIMARY KEY NOT NULL,
    owner_system   TEXT NOT NULL,
    owner_subject  TEXT NOT NULL,
    reference      TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    file_info      TEXT NOT NULL,
    file_client_id TEXT, -- the JSON value as sent (a number or a string)
    declared_type  TEXT NOT NULL,
    sniffed_type   TEXT NOT NULL,
    size           BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    state          TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX documents_by_owner_reference ON documents (owner_system, owner_subject, reference, id);
CREATE INDEX documents_by_owner ON documents (owner_system, owner_subject, id);
CREATE INDEX documents_by_state ON documents (state, created_at);
