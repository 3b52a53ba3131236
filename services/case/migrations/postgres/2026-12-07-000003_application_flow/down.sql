DROP TABLE outbox;
DROP TABLE case_evidence_reviews;
DROP TABLE case_evidence;
DROP TABLE application_rm_requests;
DROP TABLE application_reviews;
DROP TABLE application_events;
DROP INDEX cases_by_application;
ALTER TABLE cases DROP COLUMN application_id;
