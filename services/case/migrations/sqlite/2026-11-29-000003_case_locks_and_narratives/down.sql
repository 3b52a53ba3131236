ALTER TABLE case_audit DROP COLUMN new_value;
ALTER TABLE case_audit DROP COLUMN old_value;
DROP TABLE case_narratives;
DROP TABLE case_locks;
