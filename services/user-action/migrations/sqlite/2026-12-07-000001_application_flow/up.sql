-- SPEC §D, the applicant's side of the flow (issue 14).

-- The reviewer's reason for sending an action back (ActionMetaData.ReviewComment),
-- sealed like the action's answer; kept until the action is submitted again.
ALTER TABLE user_actions ADD COLUMN review_comment TEXT;

-- An application's status is shown in getUserActions, so changing it makes
-- a new revision of the listing, as a write to its actions does.
CREATE TRIGGER applications_revise_on_status AFTER UPDATE OF status ON applications
    WHEN OLD.status <> NEW.status BEGIN
    UPDATE applications SET revision = revision + 1 WHERE id = NEW.id;
END;

-- notifyRM: an applicant's request for help, kept with the application
-- until it reaches a case worker (`case_id` once it is on the case). The
-- message is sealed.
CREATE TABLE rm_requests (
    id             TEXT PRIMARY KEY NOT NULL, -- 24 hex, notifyRM's `id`
    application_id TEXT NOT NULL REFERENCES applications (id),
    subject        TEXT NOT NULL,
    message        TEXT NOT NULL,
    case_id        TEXT,
    created_at     TEXT NOT NULL
);
CREATE INDEX rm_requests_by_application ON rm_requests (application_id, created_at);

-- The transactional outbox: an event is written in the transaction of the
-- change it records, and delivered from here to other services at least
-- once, in `seq` order per aggregate (the application). Payloads carry ids
-- and states, never personal values: a delivery reads those where they live.
CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,             -- the event's id (UUID): receivers apply it once
    aggregate_id TEXT NOT NULL,                    -- the Application_id
    kind         TEXT NOT NULL,                    -- application.submitted, application.withdrawn, rm.notified (SPEC §D names)
    payload      TEXT NOT NULL,                    -- JSON
    request_id   TEXT,                             -- the request that wrote it, to follow it across services
    created_at   TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX outbox_undelivered ON outbox (seq) WHERE delivered_at IS NULL;
