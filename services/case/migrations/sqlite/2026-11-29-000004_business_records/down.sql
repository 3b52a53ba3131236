ALTER TABLE case_audit DROP COLUMN record_id;
DROP TABLE case_records;
DROP TABLE business_records;
