-- Back to doubles: each decimal becomes the nearest double.

ALTER TABLE case_customers
    ALTER COLUMN effective_risk TYPE DOUBLE PRECISION USING effective_risk::double precision,
    ALTER COLUMN business_risk TYPE DOUBLE PRECISION USING business_risk::double precision,
    ALTER COLUMN list_risk TYPE DOUBLE PRECISION USING list_risk::double precision,
    ALTER COLUMN geo_risk TYPE DOUBLE PRECISION USING geo_risk::double precision,
    ALTER COLUMN kyc_risk TYPE DOUBLE PRECISION USING kyc_risk::double precision;

ALTER TABLE case_customer_details
    ALTER COLUMN estimated_net_worth TYPE DOUBLE PRECISION USING estimated_net_worth::double precision,
    ALTER COLUMN estimated_annual_income TYPE DOUBLE PRECISION USING estimated_annual_income::double precision,
    ALTER COLUMN estimated_liquid_net_worth TYPE DOUBLE PRECISION USING estimated_liquid_net_worth::double precision,
    ALTER COLUMN credit_score TYPE DOUBLE PRECISION USING credit_score::double precision;

ALTER TABLE case_customer_anticipatory_profiles
    ALTER COLUMN average_transaction_amount TYPE DOUBLE PRECISION USING average_transaction_amount::double precision,
    ALTER COLUMN total_amount TYPE DOUBLE PRECISION USING total_amount::double precision,
    ALTER COLUMN average_transaction_count TYPE DOUBLE PRECISION USING average_transaction_count::double precision;
