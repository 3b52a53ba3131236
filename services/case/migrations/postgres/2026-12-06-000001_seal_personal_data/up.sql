-- A customer's names, date of birth, address lines, phone numbers, emails,
-- account ids, employer, source of wealth, credit rating and amounts, and
-- an event entity's name, are sealed by the service (AES-256-GCM, see
-- service_kit::keyring), each bound to its table, column and row. A sealed
-- amount is text (its exact decimal sealed), so its columns become TEXT;
-- the NUMERIC text keeps the scale (10.50 stays 10.50). Rows written before
-- hold plaintext, which the service seals when it starts (a stored value
-- not starting with the sealed prefix is plaintext).
ALTER TABLE case_customer_details
    ALTER COLUMN estimated_net_worth TYPE TEXT USING estimated_net_worth::text,
    ALTER COLUMN estimated_annual_income TYPE TEXT USING estimated_annual_income::text,
    ALTER COLUMN estimated_liquid_net_worth TYPE TEXT USING estimated_liquid_net_worth::text,
    ALTER COLUMN credit_score TYPE TEXT USING credit_score::text;

ALTER TABLE case_customer_anticipatory_profiles
    ALTER COLUMN average_transaction_amount TYPE TEXT USING average_transaction_amount::text,
    ALTER COLUMN total_amount TYPE TEXT USING total_amount::text;
