DROP TABLE applied_decisions;
ALTER TABLE action_documents DROP COLUMN sha256;
DROP TRIGGER applications_revise_on_case_status;
ALTER TABLE applications DROP COLUMN case_status;
ALTER TABLE applications DROP COLUMN case_id;
