CREATE TABLE case_numbers (
    prefix TEXT PRIMARY KEY NOT NULL,
    last   BIGINT NOT NULL
);
INSERT INTO case_numbers (prefix, last)
    SELECT 'CA', CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM case_number_seq;
DROP SEQUENCE case_number_seq;
