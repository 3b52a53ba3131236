DROP INDEX applications_by_owner;
CREATE INDEX applications_by_owner ON applications (owner_subject, created_at);
