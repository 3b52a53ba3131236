DROP TABLE idempotency_keys;
DROP TABLE audit_events;
DROP TABLE action_documents;
DROP TABLE user_actions;
DROP TABLE applicants;
DROP TABLE applications;
