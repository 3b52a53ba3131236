-- Nothing to do on SQLite: it has one writer at a time, and keeps counting
-- in case_numbers. (PostgreSQL moves to a sequence here; the two backends
-- keep the same migration names.)
SELECT 1;
