DROP TABLE outbox;
DROP TABLE rm_requests;
DROP TRIGGER applications_revise_on_status;
ALTER TABLE user_actions DROP COLUMN review_comment;
