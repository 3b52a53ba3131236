-- Back to doubles: each decimal becomes the nearest double.

ALTER TABLE case_customers RENAME COLUMN effective_risk TO effective_risk_text;
ALTER TABLE case_customers ADD COLUMN effective_risk DOUBLE PRECISION;
ALTER TABLE case_customers RENAME COLUMN business_risk TO business_risk_text;
ALTER TABLE case_customers ADD COLUMN business_risk DOUBLE PRECISION;
ALTER TABLE case_customers RENAME COLUMN list_risk TO list_risk_text;
ALTER TABLE case_customers ADD COLUMN list_risk DOUBLE PRECISION;
ALTER TABLE case_customers RENAME COLUMN geo_risk TO geo_risk_text;
ALTER TABLE case_customers ADD COLUMN geo_risk DOUBLE PRECISION;
ALTER TABLE case_customers RENAME COLUMN kyc_risk TO kyc_risk_text;
ALTER TABLE case_customers ADD COLUMN kyc_risk DOUBLE PRECISION;
UPDATE case_customers SET
    effective_risk = CAST(effective_risk_text AS REAL),
    business_risk = CAST(business_risk_text AS REAL),
    list_risk = CAST(list_risk_text AS REAL),
    geo_risk = CAST(geo_risk_text AS REAL),
    kyc_risk = CAST(kyc_risk_text AS REAL);
ALTER TABLE case_customers DROP COLUMN effective_risk_text;
ALTER TABLE case_customers DROP COLUMN business_risk_text;
ALTER TABLE case_customers DROP COLUMN list_risk_text;
ALTER TABLE case_customers DROP COLUMN geo_risk_text;
ALTER TABLE case_customers DROP COLUMN kyc_risk_text;

ALTER TABLE case_customer_details RENAME COLUMN estimated_net_worth TO estimated_net_worth_text;
ALTER TABLE case_customer_details ADD COLUMN estimated_net_worth DOUBLE PRECISION;
ALTER TABLE case_customer_details RENAME COLUMN estimated_annual_income TO estimated_annual_income_text;
ALTER TABLE case_customer_details ADD COLUMN estimated_annual_income DOUBLE PRECISION;
ALTER TABLE case_customer_details RENAME COLUMN estimated_liquid_net_worth TO estimated_liquid_net_worth_text;
ALTER TABLE case_customer_details ADD COLUMN estimated_liquid_net_worth DOUBLE PRECISION;
ALTER TABLE case_customer_details RENAME COLUMN credit_score TO credit_score_text;
ALTER TABLE case_customer_details ADD COLUMN credit_score DOUBLE PRECISION;
UPDATE case_customer_details SET
    estimated_net_worth = CAST(estimated_net_worth_text AS REAL),
    estimated_annual_income = CAST(estimated_annual_income_text AS REAL),
    estimated_liquid_net_worth = CAST(estimated_liquid_net_worth_text AS REAL),
    credit_score = CAST(credit_score_text AS REAL);
ALTER TABLE case_customer_details DROP COLUMN estimated_net_worth_text;
ALTER TABLE case_customer_details DROP COLUMN estimated_annual_income_text;
ALTER TABLE case_customer_details DROP COLUMN estimated_liquid_net_worth_text;
ALTER TABLE case_customer_details DROP COLUMN credit_score_text;

ALTER TABLE case_customer_anticipatory_profiles RENAME COLUMN average_transaction_amount TO average_transaction_amount_text;
ALTER TABLE case_customer_anticipatory_profiles ADD COLUMN average_transaction_amount DOUBLE PRECISION;
ALTER TABLE case_customer_anticipatory_profiles RENAME COLUMN total_amount TO total_amount_text;
ALTER TABLE case_customer_anticipatory_profiles ADD COLUMN total_amount DOUBLE PRECISION;
ALTER TABLE case_customer_anticipatory_profiles RENAME COLUMN average_transaction_count TO average_transaction_count_text;
ALTER TABLE case_customer_anticipatory_profiles ADD COLUMN average_transaction_count DOUBLE PRECISION;
UPDATE case_customer_anticipatory_profiles SET
    average_transaction_amount = CAST(average_transaction_amount_text AS REAL),
    total_amount = CAST(total_amount_text AS REAL),
    average_transaction_count = CAST(average_transaction_count_text AS REAL);
ALTER TABLE case_customer_anticipatory_profiles DROP COLUMN average_transaction_amount_text;
ALTER TABLE case_customer_anticipatory_profiles DROP COLUMN total_amount_text;
ALTER TABLE case_customer_anticipatory_profiles DROP COLUMN average_transaction_count_text;
