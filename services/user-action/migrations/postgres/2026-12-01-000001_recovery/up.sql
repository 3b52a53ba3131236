-- What user-action made in another service (a party in party-service, a
-- document in document-service) and has not yet recorded as its own: the
-- row is written when the thing is made and deleted in the transaction that
-- records it (the application, the applicant, the attachment). A row older
-- than the sweep's grace period is something a crash or a failed undo left
-- behind; the sweep removes it from its service, then the row. `swept_at`
-- is set when the sweep takes it, so that a late write no longer records it.
CREATE TABLE intents (
    kind          TEXT NOT NULL,
    id            TEXT NOT NULL,
    owner_subject TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    swept_at      TEXT,
    PRIMARY KEY (kind, id)
);
CREATE INDEX intents_by_age ON intents (created_at);

-- Idempotency keys expire, and claims are leased, by `created_at` (when the
-- current claim was taken): the sweep finds the old ones by it.
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
