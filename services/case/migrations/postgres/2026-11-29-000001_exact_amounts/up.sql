-- Amounts, scores and counts become exact decimals (issue 13): NUMERIC
-- without a fixed scale, so that a decimal keeps the scale it was sent with
-- (10.50 stays 10.50); the service bounds the digits.
--
-- A double already stored becomes the decimal of its shortest text, the
-- text that reads back as that same double (extra_float_digits above 0
-- asks for it): 0.1 stays 0.1, not 0.1000000000000000055511151231257827.
SET LOCAL extra_float_digits = 1;

ALTER TABLE case_customers
    ALTER COLUMN effective_risk TYPE NUMERIC USING effective_risk::text::numeric,
    ALTER COLUMN business_risk TYPE NUMERIC USING business_risk::text::numeric,
    ALTER COLUMN list_risk TYPE NUMERIC USING list_risk::text::numeric,
    ALTER COLUMN geo_risk TYPE NUMERIC USING geo_risk::text::numeric,
    ALTER COLUMN kyc_risk TYPE NUMERIC USING kyc_risk::text::numeric;

ALTER TABLE case_customer_details
    ALTER COLUMN estimated_net_worth TYPE NUMERIC USING estimated_net_worth::text::numeric,
    ALTER COLUMN estimated_annual_income TYPE NUMERIC USING estimated_annual_income::text::numeric,
    ALTER COLUMN estimated_liquid_net_worth TYPE NUMERIC USING estimated_liquid_net_worth::text::numeric,
    ALTER COLUMN credit_score TYPE NUMERIC USING credit_score::text::numeric;

ALTER TABLE case_customer_anticipatory_profiles
    ALTER COLUMN average_transaction_amount TYPE NUMERIC USING average_transaction_amount::text::numeric,
    ALTER COLUMN total_amount TYPE NUMERIC USING total_amount::text::numeric,
    ALTER COLUMN average_transaction_count TYPE NUMERIC USING average_transaction_count::text::numeric;
