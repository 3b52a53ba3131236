-- Issue 15, searchCases by customer name: keyed blind indexes (HMAC,
-- purpose case.customer.name) of a customer's normalised full name and of
-- its last name, a row each (one when they are the same); none when it has
-- no name, or its names are erased. A table of its own: case_customers has
-- as many columns as diesel's tables take.
CREATE TABLE case_customer_names (
    case_id     TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    name_index  TEXT NOT NULL,
    PRIMARY KEY (case_id, customer_id, name_index),
    FOREIGN KEY (case_id, customer_id) REFERENCES case_customers (case_id, customer_id) ON DELETE CASCADE
);
CREATE INDEX case_customer_names_by_index ON case_customer_names (name_index, case_id);

-- Customers stored before get the placeholder 'legacy' (never a blind
-- index: those are 64 hex characters) until the service's start-up pass
-- computes theirs: the key is not the database's to know.
INSERT INTO case_customer_names (case_id, customer_id, name_index)
SELECT case_id, customer_id, 'legacy' FROM case_customers
WHERE first_name IS NOT NULL OR last_name IS NOT NULL OR customer_organization_name IS NOT NULL;
