DROP TABLE suppression_rules;
DROP TABLE event_customers;
DROP TABLE event_entities;
DROP TABLE events;
DROP TABLE case_numbers;
ALTER TABLE case_audit DROP COLUMN event_code;
ALTER TABLE cases DROP COLUMN due_date;
ALTER TABLE cases DROP COLUMN priority;
