-- A narrative's audit record names the narrative in record_id, as a
-- record's does, and its new_value holds the narrative's text, sealed.
-- Rows written before held the id in new_value: it moves to record_id,
-- and their text stays with the narrative alone.
UPDATE case_audit SET record_id = new_value, new_value = NULL
WHERE action = 'narrativeAdded' AND record_id IS NULL;
