DROP TABLE case_customer_names;
