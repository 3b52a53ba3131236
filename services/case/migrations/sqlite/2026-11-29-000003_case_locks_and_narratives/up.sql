-- Locks (one writer at a time per case), narratives (free text about a
-- case, sealed, never changed), and the old and new values of the changes
-- the audit trail records beyond statuses (a description, a lock).

-- The lock of a case: held by `holder` until `expires_at` (RFC 3339 UTC,
-- compared as text). A row whose time has passed is no lock: it is
-- replaced by the next taker, and a write ignores it.
CREATE TABLE case_locks (
    case_id    TEXT PRIMARY KEY NOT NULL REFERENCES cases (case_id),
    holder     TEXT NOT NULL,
    taken_at   TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- A narrative added to a case: sealed text, its author and time.
CREATE TABLE case_narratives (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id    TEXT NOT NULL REFERENCES cases (case_id),
    narrative  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX case_narratives_by_case ON case_narratives (case_id, id);

ALTER TABLE case_audit ADD COLUMN old_value TEXT;
ALTER TABLE case_audit ADD COLUMN new_value TEXT;
