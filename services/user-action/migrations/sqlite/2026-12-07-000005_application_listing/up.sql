-- The internal listing of applications (GET /user-action/v1/applications,
-- the console's "Applications" screen) pages them most recently updated
-- first, by (updated_at DESC, id DESC), filtered by status or not: each
-- index gives that order straight, so a page reads its rows and stops.
CREATE INDEX applications_by_update ON applications (updated_at, id);
CREATE INDEX applications_by_status ON applications (status, updated_at, id);
