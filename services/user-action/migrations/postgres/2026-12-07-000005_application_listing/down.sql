DROP INDEX applications_by_status;
DROP INDEX applications_by_update;
