-- A business record's id (an account id is personal data) is kept only
-- sealed, in record_id; rows are found, kept unique and joined by
-- record_key, the id's keyed blind index (HMAC-SHA256 under
-- BLIND_INDEX_KEY). SQL cannot compute either, so each existing row gets
-- its plaintext id as a placeholder key, which the service replaces when
-- it starts (a row whose key equals its id is such a row: a sealed row's
-- key is hex, its id `enc1:...`). The partial indexes find those rows
-- without reading the table.
ALTER TABLE business_records ADD COLUMN record_key TEXT;
UPDATE business_records SET record_key = record_id;
ALTER TABLE business_records ALTER COLUMN record_key SET NOT NULL;
ALTER TABLE business_records DROP CONSTRAINT business_records_pkey;
ALTER TABLE business_records ADD PRIMARY KEY (kind, record_key);
CREATE INDEX business_records_legacy ON business_records (kind, record_key)
    WHERE record_key = record_id;

ALTER TABLE case_records ADD COLUMN record_key TEXT;
UPDATE case_records SET record_key = record_id;
ALTER TABLE case_records ALTER COLUMN record_key SET NOT NULL;
ALTER TABLE case_records DROP CONSTRAINT case_records_pkey;
ALTER TABLE case_records ADD PRIMARY KEY (case_id, kind, record_key);
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
