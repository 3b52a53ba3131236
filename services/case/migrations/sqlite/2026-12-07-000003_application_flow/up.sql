-- SPEC §D, the case side of the flow from application to decision (issue 14).

-- The application a case was opened for (`application.submitted`): one
-- case per application, also when two deliveries race.
ALTER TABLE cases ADD COLUMN application_id TEXT;
CREATE UNIQUE INDEX cases_by_application ON cases (application_id);

-- The events of user-action applied, by id, each written in the
-- transaction of its effect: a repeat finds its id here and changes nothing.
CREATE TABLE application_events (
    event_id       TEXT PRIMARY KEY NOT NULL,
    application_id TEXT NOT NULL,
    kind           TEXT NOT NULL,
    applied_at     TEXT NOT NULL
);

-- The actions of an application whose definition says NeedsReview: its
-- case closes APR only once a document answering each is accepted.
CREATE TABLE application_reviews (
    application_id         TEXT NOT NULL,
    user_action_identifier TEXT NOT NULL,
    PRIMARY KEY (application_id, user_action_identifier)
);

-- notifyRM requests, kept by application (before its case is opened too);
-- the message is sealed.
CREATE TABLE application_rm_requests (
    request_id     TEXT PRIMARY KEY NOT NULL,
    application_id TEXT NOT NULL,
    message        TEXT NOT NULL,
    requested_at   TEXT NOT NULL
);
CREATE INDEX application_rm_requests_by_application
    ON application_rm_requests (application_id, requested_at);

-- The documents of a case's application, as evidence: the file name and
-- the reviewer's comments are sealed. `decision` is ACCEPT, REJECT or none
-- (not reviewed, or sent again since).
CREATE TABLE case_evidence (
    case_id                TEXT NOT NULL REFERENCES cases (case_id),
    document_id            TEXT NOT NULL,
    file_name              TEXT NOT NULL,
    file_type              TEXT NOT NULL,
    size                   BIGINT NOT NULL,
    sha256                 TEXT NOT NULL,
    user_action_identifier TEXT NOT NULL,
    added_at               TEXT NOT NULL,
    decision               TEXT,
    comments               TEXT,
    decided_by             TEXT,
    decided_at             TEXT,
    PRIMARY KEY (case_id, document_id)
);

-- Each review of a document, by the id of the outbox event that tells
-- user-action of it: the decision sent is built from it when it is
-- delivered (the comments, sealed, are never in the outbox).
CREATE TABLE case_evidence_reviews (
    event_id    TEXT PRIMARY KEY NOT NULL,
    case_id     TEXT NOT NULL REFERENCES cases (case_id),
    document_id TEXT NOT NULL,
    decision    TEXT NOT NULL,
    comments    TEXT,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL
);

-- The transactional outbox, as user-action's: an event is written in the
-- transaction of the change it records, and delivered from here at least
-- once, in `seq` order per aggregate (the application). Payloads carry ids
-- and states, never personal values: a delivery reads those where they live.
CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,             -- the event's id (UUID): receivers apply it once
    aggregate_id TEXT NOT NULL,                    -- the Application_id
    kind         TEXT NOT NULL,                    -- case.opened, case.status_changed, evidence.accepted, evidence.rejected
    payload      TEXT NOT NULL,                    -- JSON
    request_id   TEXT,                             -- the request that wrote it, to follow it across services
    created_at   TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX outbox_undelivered ON outbox (seq) WHERE delivered_at IS NULL;
