-- The console's signed-in sessions (docs/decisions.md, "The console").
-- The browser holds a random token; only its SHA-256 is kept here, so a
-- copy of this table signs nobody in. Times are RFC 3339 text in UTC, whose
-- text order is time order. Expired rows are deleted by the sweep.
CREATE TABLE console_sessions (
    id_hash             TEXT PRIMARY KEY NOT NULL, -- hex SHA-256 of the cookie's token
    subject             TEXT NOT NULL,
    display_name        TEXT NOT NULL,
    roles               TEXT NOT NULL,             -- space-separated
    csrf_token          TEXT NOT NULL,             -- the forms' synchronizer token
    created_at          TEXT NOT NULL,
    last_seen_at        TEXT NOT NULL,
    idle_expires_at     TEXT NOT NULL,
    absolute_expires_at TEXT NOT NULL
);
CREATE INDEX console_sessions_by_idle_expiry ON console_sessions (idle_expires_at);
CREATE INDEX console_sessions_by_absolute_expiry ON console_sessions (absolute_expires_at);
