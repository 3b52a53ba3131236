-- Generated case numbers from a sequence: nextval takes no row lock, so
-- concurrent promotions no longer queue on the counter row until each one
-- commits. A number drawn by a transaction that rolls back is skipped.
CREATE SEQUENCE case_number_seq;
SELECT setval('case_number_seq', last + 1, false) FROM case_numbers WHERE prefix = 'CA';
DROP TABLE case_numbers;
