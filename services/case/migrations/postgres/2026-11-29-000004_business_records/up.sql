-- The bank's business records (accounts, external entities, transactions),
-- loaded in bulk so that `businessAdd: "Y"` finds them, and the records
-- copied onto cases. A record is kept whole as the JSON of its documented
-- fields, sealed with the keyring (bound to its kind, id and case); only
-- the keys are in the clear.
CREATE TABLE business_records (
    kind       TEXT NOT NULL CHECK (kind IN ('account', 'externalEntity', 'transaction')),
    record_id  TEXT NOT NULL,
    details    TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, record_id)
);

-- A record on a case. The primary key keeps the same record from being
-- added to a case twice.
CREATE TABLE case_records (
    case_id    TEXT NOT NULL REFERENCES cases (case_id),
    kind       TEXT NOT NULL CHECK (kind IN ('account', 'externalEntity', 'transaction')),
    record_id  TEXT NOT NULL,
    type_code  TEXT,
    details    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (case_id, kind, record_id)
);

-- The audit trail names the record a change concerns.
ALTER TABLE case_audit ADD COLUMN record_id TEXT;
