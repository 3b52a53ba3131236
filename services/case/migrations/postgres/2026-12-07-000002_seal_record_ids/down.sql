-- Only before the service sealed anything: a sealed id is no id.
DROP INDEX case_audit_legacy_record;
UPDATE case_audit SET record_id = legacy_record_id WHERE legacy_record_id IS NOT NULL;
ALTER TABLE case_audit DROP COLUMN legacy_record_id;
ALTER TABLE case_audit DROP COLUMN record_key;

DROP INDEX case_records_legacy;
ALTER TABLE case_records DROP CONSTRAINT case_records_pkey;
ALTER TABLE case_records ADD PRIMARY KEY (case_id, kind, record_id);
ALTER TABLE case_records DROP COLUMN record_key;

DROP INDEX business_records_legacy;
ALTER TABLE business_records DROP CONSTRAINT business_records_pkey;
ALTER TABLE business_records ADD PRIMARY KEY (kind, record_id);
ALTER TABLE business_records DROP COLUMN record_key;
