-- Only before the service sealed anything: a sealed amount is no number.
ALTER TABLE case_customer_details
    ALTER COLUMN estimated_net_worth TYPE NUMERIC USING estimated_net_worth::numeric,
    ALTER COLUMN estimated_annual_income TYPE NUMERIC USING estimated_annual_income::numeric,
    ALTER COLUMN estimated_liquid_net_worth TYPE NUMERIC USING estimated_liquid_net_worth::numeric,
    ALTER COLUMN credit_score TYPE NUMERIC USING credit_score::numeric;

ALTER TABLE case_customer_anticipatory_profiles
    ALTER COLUMN average_transaction_amount TYPE NUMERIC USING average_transaction_amount::numeric,
    ALTER COLUMN total_amount TYPE NUMERIC USING total_amount::numeric;
