-- A caller's latest application is the first by (created_at DESC, id DESC).
-- With `id` in the index that order is read straight from it; without, every
-- lookup sorted its rows in a temporary B-tree first.
DROP INDEX applications_by_owner;
CREATE INDEX applications_by_owner ON applications (owner_subject, created_at, id);
