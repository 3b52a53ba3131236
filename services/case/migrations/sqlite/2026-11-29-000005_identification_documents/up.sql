-- A customer's identification documents (ECM guide 4.9), sealed as one
-- JSON list: nothing queries inside it.
ALTER TABLE case_customer_details ADD COLUMN identification_documents TEXT;
