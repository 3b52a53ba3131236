-- Applications belong to the end user (token subject) who created them.
CREATE TABLE applications (
    id                   TEXT PRIMARY KEY NOT NULL, -- Application_id: 7 of [A-Z0-9]
    owner_subject        TEXT NOT NULL,
    main_party_id        TEXT NOT NULL,
    status               TEXT NOT NULL,
    branch_reference     TEXT,
    section_progress     TEXT,
    is_existing_customer TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX applications_by_owner ON applications (owner_subject, created_at);

-- The applicants of an application; names are kept for DynamicData.
CREATE TABLE applicants (
    entity_id          TEXT PRIMARY KEY NOT NULL, -- 24 hex
    application_id     TEXT NOT NULL REFERENCES applications (id),
    party_id           TEXT NOT NULL,
    applicant_type     TEXT NOT NULL,             -- Applicant | CoApplicant
    first_name         TEXT NOT NULL,
    last_name          TEXT NOT NULL,
    is_existent_member BOOLEAN,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX applicants_by_application ON applicants (application_id, created_at);

CREATE TABLE user_actions (
    id                 TEXT PRIMARY KEY NOT NULL, -- CA + 12 digits
    identifier         TEXT NOT NULL UNIQUE,      -- {name}_{PartyId}_{Application_id}
    application_id     TEXT NOT NULL REFERENCES applications (id),
    name               TEXT NOT NULL,
    party_id           TEXT NOT NULL,
    entity_id          TEXT NOT NULL,             -- the applicant it concerns (the main one for application-level actions)
    status             TEXT NOT NULL,
    response           TEXT NOT NULL,
    is_pre_requirement BOOLEAN NOT NULL,
    position           INTEGER NOT NULL,          -- catalog order, for listing
    last_update_id     TEXT,                      -- the id updateUserAction answered last
    version            BIGINT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX user_actions_by_application ON user_actions (application_id, position, created_at);

CREATE TABLE action_documents (
    document_id    TEXT PRIMARY KEY NOT NULL,
    action_id      TEXT NOT NULL REFERENCES user_actions (id),
    file_name      TEXT NOT NULL,
    file_type      TEXT NOT NULL,
    file_info      TEXT NOT NULL,
    file_client_id TEXT, -- the JSON value as sent
    created_at     TEXT NOT NULL
);
CREATE INDEX action_documents_by_action ON action_documents (action_id, created_at);

-- Consents and every change, with time, subject and old/new values.
CREATE TABLE audit_events (
    id             TEXT PRIMARY KEY NOT NULL, -- 24 hex
    application_id TEXT NOT NULL,
    subject        TEXT NOT NULL,
    kind           TEXT NOT NULL,
    target         TEXT NOT NULL,
    old_value      TEXT,
    new_value      TEXT,
    at             TEXT NOT NULL
);
CREATE INDEX audit_events_by_application ON audit_events (application_id, at, id);

-- Idempotency-Key records: one request per key and subject is processed;
-- its answer is replayed for the repeats.
CREATE TABLE idempotency_keys (
    owner_subject TEXT NOT NULL,
    operation     TEXT NOT NULL,
    idem_key      TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,
    response      TEXT,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (owner_subject, operation, idem_key)
);
