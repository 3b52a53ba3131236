-- Only before the service sealed anything: a sealed id is no id.
DROP INDEX case_audit_legacy_record;
UPDATE case_audit SET record_id = legacy_record_id WHERE legacy_record_id IS NOT NULL;
ALTER TABLE case_audit DROP COLUMN legacy_record_id;
ALTER TABLE case_audit DROP COLUMN record_key;

CREATE TABLE case_records_plain (
    case_id    TEXT NOT NULL REFERENCES cases (case_id),
    kind       TEXT NOT NULL CHECK (kind IN ('account', 'externalEntity', 'transaction')),
    record_id  TEXT NOT NULL,
    type_code  TEXT,
    details    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (case_id, kind, record_id)
);
INSERT INTO case_records_plain
    SELECT case_id, kind, record_id, type_code, details, created_at, created_by FROM case_records;
DROP TABLE case_records;
ALTER TABLE case_records_plain RENAME TO case_records;

CREATE TABLE business_records_plain (
    kind       TEXT NOT NULL CHECK (kind IN ('account', 'externalEntity', 'transaction')),
    record_id  TEXT NOT NULL,
    details    TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, record_id)
);
INSERT INTO business_records_plain
    SELECT kind, record_id, details, updated_at FROM business_records;
DROP TABLE business_records;
ALTER TABLE business_records_plain RENAME TO business_records;
