-- Issue 15, the case workers' console: the inbox (`searchCases`) and
-- assignment (`assignCase`).

-- Who works the case (a case worker's subject), since when; NULL while no
-- one does.
ALTER TABLE cases ADD COLUMN assignee TEXT;
ALTER TABLE cases ADD COLUMN assigned_at TEXT;

-- The customer the case was opened for (the focus of its events), shown
-- in the inbox. Backfilled from the focus entities of the events already
-- on each case; NULL for a case made with createCase.
ALTER TABLE cases ADD COLUMN focus_customer_id TEXT;
UPDATE cases SET focus_customer_id = (
    SELECT MIN(event_entities.cust_id)
    FROM events JOIN event_entities ON event_entities.event_code = events.event_code
    WHERE events.case_id = cases.case_id AND event_entities.focus_flag = 'Y'
);

-- The priority's rank (Low 1, Medium 2, High 3), written with every
-- priority, so that sorting by priority reads an index, not a CASE.
ALTER TABLE cases ADD COLUMN priority_rank INTEGER;
UPDATE cases SET priority_rank = CASE priority
    WHEN 'Low' THEN 1 WHEN 'Medium' THEN 2 WHEN 'High' THEN 3 END;

-- Every sort key leads with "is it NULL", so that cases without one come
-- last in either direction on both backends; each filter an inbox is
-- mostly used with (status, assignee, type) leads an index of the default
-- sort (due date), and each other sort has its own.
CREATE INDEX cases_inbox_due ON cases ((due_date IS NULL), due_date, case_id);
CREATE INDEX cases_inbox_status_due ON cases (case_status_code, (due_date IS NULL), due_date, case_id);
CREATE INDEX cases_inbox_assignee_due ON cases (assignee, (due_date IS NULL), due_date, case_id);
CREATE INDEX cases_inbox_type_due ON cases (case_type_code, (due_date IS NULL), due_date, case_id);
CREATE INDEX cases_inbox_priority ON cases ((priority_rank IS NULL), priority_rank, case_id);
CREATE INDEX cases_inbox_created ON cases (created_at, case_id);
CREATE INDEX cases_inbox_status_changed ON cases (status_changed_at, case_id);

-- A case id prefix (`query`) is a LIKE 'prefix%', which PostgreSQL serves
-- from an index only under the C collation or with text_pattern_ops.
CREATE INDEX cases_inbox_id_prefix ON cases (case_id text_pattern_ops);
