-- Amounts, scores and counts become exact decimals (issue 13): stored as
-- the decimal's text, in TEXT columns. (A column declared with a numeric
-- type has numeric affinity: SQLite would turn the text '0.1' back into a
-- double.) SQLite cannot change a column's type, so each column is added
-- anew beside the old one, filled, and the old one dropped.
--
-- Each double already stored is written as the text that reads back as
-- that same double (SQLite writes the shortest such text), and a whole
-- number without a fraction ('10', not '10.0'), as the service gave it back.

ALTER TABLE case_customers RENAME COLUMN effective_risk TO effective_risk_double;
ALTER TABLE case_customers ADD COLUMN effective_risk TEXT;
ALTER TABLE case_customers RENAME COLUMN business_risk TO business_risk_double;
ALTER TABLE case_customers ADD COLUMN business_risk TEXT;
ALTER TABLE case_customers RENAME COLUMN list_risk TO list_risk_double;
ALTER TABLE case_customers ADD COLUMN list_risk TEXT;
ALTER TABLE case_customers RENAME COLUMN geo_risk TO geo_risk_double;
ALTER TABLE case_customers ADD COLUMN geo_risk TEXT;
ALTER TABLE case_customers RENAME COLUMN kyc_risk TO kyc_risk_double;
ALTER TABLE case_customers ADD COLUMN kyc_risk TEXT;
UPDATE case_customers SET
    effective_risk = CASE WHEN effective_risk_double = CAST(effective_risk_double AS INTEGER)
        THEN CAST(CAST(effective_risk_double AS INTEGER) AS TEXT) ELSE CAST(effective_risk_double AS TEXT) END,
    business_risk = CASE WHEN business_risk_double = CAST(business_risk_double AS INTEGER)
        THEN CAST(CAST(business_risk_double AS INTEGER) AS TEXT) ELSE CAST(business_risk_double AS TEXT) END,
    list_risk = CASE WHEN list_risk_double = CAST(list_risk_double AS INTEGER)
        THEN CAST(CAST(list_risk_double AS INTEGER) AS TEXT) ELSE CAST(list_risk_double AS TEXT) END,
    geo_risk = CASE WHEN geo_risk_double = CAST(geo_risk_double AS INTEGER)
        THEN CAST(CAST(geo_risk_double AS INTEGER) AS TEXT) ELSE CAST(geo_risk_double AS TEXT) END,
    kyc_risk = CASE WHEN kyc_risk_double = CAST(kyc_risk_double AS INTEGER)
        THEN CAST(CAST(kyc_risk_double AS INTEGER) AS TEXT) ELSE CAST(kyc_risk_double AS TEXT) END;
ALTER TABLE case_customers DROP COLUMN effective_risk_double;
ALTER TABLE case_customers DROP COLUMN business_risk_double;
ALTER TABLE case_customers DROP COLUMN list_risk_double;
ALTER TABLE case_customers DROP COLUMN geo_risk_double;
ALTER TABLE case_customers DROP COLUMN kyc_risk_double;

ALTER TABLE case_customer_details RENAME COLUMN estimated_net_worth TO estimated_net_worth_double;
ALTER TABLE case_customer_details ADD COLUMN estimated_net_worth TEXT;
ALTER TABLE case_customer_details RENAME COLUMN estimated_annual_income TO estimated_annual_income_double;
ALTER TABLE case_customer_details ADD COLUMN estimated_annual_income TEXT;
ALTER TABLE case_customer_details RENAME COLUMN estimated_liquid_net_worth TO estimated_liquid_net_worth_double;
ALTER TABLE case_customer_details ADD COLUMN estimated_liquid_net_worth TEXT;
ALTER TABLE case_customer_details RENAME COLUMN credit_score TO credit_score_double;
ALTER TABLE case_customer_details ADD COLUMN credit_score TEXT;
UPDATE case_customer_details SET
    estimated_net_worth = CASE WHEN estimated_net_worth_double = CAST(estimated_net_worth_double AS INTEGER)
        THEN CAST(CAST(estimated_net_worth_double AS INTEGER) AS TEXT) ELSE CAST(estimated_net_worth_double AS TEXT) END,
    estimated_annual_income = CASE WHEN estimated_annual_income_double = CAST(estimated_annual_income_double AS INTEGER)
        THEN CAST(CAST(estimated_annual_income_double AS INTEGER) AS TEXT) ELSE CAST(estimated_annual_income_double AS TEXT) END,
    estimated_liquid_net_worth = CASE WHEN estimated_liquid_net_worth_double = CAST(estimated_liquid_net_worth_double AS INTEGER)
        THEN CAST(CAST(estimated_liquid_net_worth_double AS INTEGER) AS TEXT) ELSE CAST(estimated_liquid_net_worth_double AS TEXT) END,
    credit_score = CASE WHEN credit_score_double = CAST(credit_score_double AS INTEGER)
        THEN CAST(CAST(credit_score_double AS INTEGER) AS TEXT) ELSE CAST(credit_score_double AS TEXT) END;
ALTER TABLE case_customer_details DROP COLUMN estimated_net_worth_double;
ALTER TABLE case_customer_details DROP COLUMN estimated_annual_income_double;
ALTER TABLE case_customer_details DROP COLUMN estimated_liquid_net_worth_double;
ALTER TABLE case_customer_details DROP COLUMN credit_score_double;

ALTER TABLE case_customer_anticipatory_profiles RENAME COLUMN average_transaction_amount TO average_transaction_amount_double;
ALTER TABLE case_customer_anticipatory_profiles ADD COLUMN average_transaction_amount TEXT;
ALTER TABLE case_customer_anticipatory_profiles RENAME COLUMN total_amount TO total_amount_double;
ALTER TABLE case_customer_anticipatory_profiles ADD COLUMN total_amount TEXT;
ALTER TABLE case_customer_anticipatory_profiles RENAME COLUMN average_transaction_count TO average_transaction_count_double;
ALTER TABLE case_customer_anticipatory_profiles ADD COLUMN average_transaction_count TEXT;
UPDATE case_customer_anticipatory_profiles SET
    average_transaction_amount = CASE WHEN average_transaction_amount_double = CAST(average_transaction_amount_double AS INTEGER)
        THEN CAST(CAST(average_transaction_amount_double AS INTEGER) AS TEXT) ELSE CAST(average_transaction_amount_double AS TEXT) END,
    total_amount = CASE WHEN total_amount_double = CAST(total_amount_double AS INTEGER)
        THEN CAST(CAST(total_amount_double AS INTEGER) AS TEXT) ELSE CAST(total_amount_double AS TEXT) END,
    average_transaction_count = CASE WHEN average_transaction_count_double = CAST(average_transaction_count_double AS INTEGER)
        THEN CAST(CAST(average_transaction_count_double AS INTEGER) AS TEXT) ELSE CAST(average_transaction_count_double AS TEXT) END;
ALTER TABLE case_customer_anticipatory_profiles DROP COLUMN average_transaction_amount_double;
ALTER TABLE case_customer_anticipatory_profiles DROP COLUMN total_amount_double;
ALTER TABLE case_customer_anticipatory_profiles DROP COLUMN average_transaction_count_double;
