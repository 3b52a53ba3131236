-- An applicant's names, an action's answer, an attached document's file
-- name, file info and client id, and a stored Idempotency-Key answer are
-- sealed by the service (AES-256-GCM, see service_kit::keyring), each bound
-- to its table, column and row. `sealed` marks a row whose values are
-- sealed; rows written before this are sealed when the service starts.
ALTER TABLE applicants ADD COLUMN sealed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE user_actions ADD COLUMN sealed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE action_documents ADD COLUMN sealed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE idempotency_keys ADD COLUMN sealed BOOLEAN NOT NULL DEFAULT FALSE;
