-- Sealed values stay sealed: run with the keys that wrote them or restore a backup.
ALTER TABLE idempotency_keys DROP COLUMN sealed;
ALTER TABLE action_documents DROP COLUMN sealed;
ALTER TABLE user_actions DROP COLUMN sealed;
ALTER TABLE applicants DROP COLUMN sealed;
