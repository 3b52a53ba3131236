-- Issue 15, point 8: the inbox at 100,000 cases. searchCases counts the
-- matches of its filters (up to 10,100); this index holds every column
-- they filter on, so that the count reads the index alone (SQLite: a
-- covering index; PostgreSQL: an index-only scan) rather than a table row
-- per case. Status leads: every inbox but "all cases" filters on it.
CREATE INDEX cases_inbox_counts ON cases (case_status_code, case_type_code, assignee, priority, due_date);
