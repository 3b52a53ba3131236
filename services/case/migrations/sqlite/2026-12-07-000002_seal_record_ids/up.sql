-- A business record's id (an account id is personal data) is kept only
-- sealed, in record_id; rows are found, kept unique and joined by
-- record_key, the id's keyed blind index (HMAC-SHA256 under
-- BLIND_INDEX_KEY). SQL cannot compute either, so each existing row gets
-- its plaintext id as a placeholder key, which the service replaces when
-- it starts (a row whose key equals its id is such a row: a sealed row's
-- key is hex, its id `enc1:...`). The partial indexes find those rows
-- without reading the table. SQLite cannot change a primary key: the
-- tables are made again.
CREATE TABLE business_records_sealed (
    kind       TEXT NOT NULL CHECK (kind IN ('account', 'externalEntity', 'transaction')),
    record_key TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    details    TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, record_key)
);
INSERT INTO business_records_sealed (kind, record_key, record_id, details, updated_at)
    SELECT kind, record_id, record_id, details, updated_at FROM business_records;
DROP TABLE business_records;
ALTER TABLE business_records_sealed RENAME TO business_records;
CREATE INDEX business_records_legacy ON business_records (kind, record_key)
    WHERE record_key = record_id;

CREATE TABLE case_records_sealed (
    case_id    TEXT NOT NULL REFERENCES cases (case_id),
    kind       TEXT NOT NULL CHECK (kind IN ('account', 'externalEntity', 'transaction')),
    record_key TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    type_code  TEXT,
    details    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (case_id, kind, record_key)
);
INSERT INTO case_records_sealed
    (case_id, kind, record_key, record_id, type_code, details, created_at, created_by)
    SELECT case_id, kind, record_id, record_id, type_code, details, created_at, created_by
    FROM case_records;
DROP TABLE case_records;
ALTER TABLE case_records_sealed RENAME TO case_records;
CREATE INDEX case_records_legacy ON case_records (case_id, kind, record_key)
    WHERE record_key = record_id;

-- The audit trail's record id is sealed too (a narrative's, our own
-- sequence number, stays as it is), with its blind index in record_key,
-- which links a record's audit rows to it. What rows hold now is
-- plaintext: it moves to legacy_record_id, which the service seals into
-- record_id (and empties) when it starts.
ALTER TABLE case_audit ADD COLUMN record_key TEXT;
ALTER TABLE case_audit ADD COLUMN legacy_record_id TEXT;
UPDATE case_audit SET legacy_record_id = record_id, record_id = NULL
WHERE record_id IS NOT NULL AND action IN ('accountAdded', 'accountRemoved',
    'externalEntityAdded', 'externalEntityRemoved', 'transactionAdded', 'transactionRemoved');
CREATE INDEX case_audit_legacy_record ON case_audit (id)
    WHERE legacy_record_id IS NOT NULL;
