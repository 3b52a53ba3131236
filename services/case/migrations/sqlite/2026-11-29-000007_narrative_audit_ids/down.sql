-- Back to the narrative's id as the new value; the sealed texts go (the
-- narratives keep them).
UPDATE case_audit SET new_value = record_id, record_id = NULL
WHERE action = 'narrativeAdded';
