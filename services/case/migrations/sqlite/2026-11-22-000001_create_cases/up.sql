-- Cases, the customers added to them, and the audit trail of every change.
-- Ids, dates and timestamps are TEXT; flags are the 'Y'/'N' sent.
CREATE TABLE cases (
    case_id           TEXT PRIMARY KEY NOT NULL,
    case_type_code    TEXT,
    case_description  TEXT,
    case_status_code  TEXT NOT NULL,
    status_changed_at TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL
);

-- A customer as added to one case: the identity, KYC and risk fields. The
-- primary key is what keeps the same customer from being added twice.
CREATE TABLE case_customers (
    case_id                    TEXT NOT NULL REFERENCES cases (case_id),
    customer_id                TEXT NOT NULL,
    business_add               TEXT,
    customer_type_code         TEXT,
    first_name                 TEXT,
    middle_name                TEXT,
    last_name                  TEXT,
    customer_organization_name TEXT,
    tax_id_format_code         TEXT,
    tax_id                     TEXT,
    date_of_birth              TEXT,
    gender_code                TEXT,
    marital_status_code        TEXT,
    jurisdiction_code          TEXT,
    business_domain_code       TEXT,
    primary_citizenship_code   TEXT,
    secondary_citizenship_code TEXT,
    legal_structure            TEXT,
    residence_code             TEXT,
    added_on                   TEXT,
    citizenship_status         TEXT,
    occupation_code            TEXT,
    customer_status_code       TEXT,
    pep_flag_code              TEXT,
    effective_risk             DOUBLE PRECISION,
    business_risk              DOUBLE PRECISION,
    list_risk                  DOUBLE PRECISION,
    geo_risk                   DOUBLE PRECISION,
    kyc_risk                   DOUBLE PRECISION,
    created_at                 TEXT NOT NULL,
    created_by                 TEXT NOT NULL,
    PRIMARY KEY (case_id, customer_id)
);
-- Finding the cases that include a customer.
CREATE INDEX case_customers_by_customer ON case_customers (customer_id, case_id);

-- The customer's financial and employment profile, and the free-form
-- genericInformation (a JSON object, kept as sent).
CREATE TABLE case_customer_details (
    case_id                              TEXT NOT NULL,
    customer_id                          TEXT NOT NULL,
    estimated_net_worth                  DOUBLE PRECISION,
    estimated_annual_income              DOUBLE PRECISION,
    estimated_liquid_net_worth           DOUBLE PRECISION,
    source_of_wealth                     TEXT,
    credit_rating                        TEXT,
    credit_rating_source                 TEXT,
    credit_score                         DOUBLE PRECISION,
    assets_outside_of_us_code            TEXT,
    is_employee_code                     TEXT,
    works_for_financial_institution_code TEXT,
    employer                             TEXT,
    is_broker_dealer_code                TEXT,
    generic_information                  TEXT,
    PRIMARY KEY (case_id, customer_id),
    FOREIGN KEY (case_id, customer_id) REFERENCES case_customers (case_id, customer_id) ON DELETE CASCADE
);

CREATE TABLE case_customer_addresses (
    case_id            TEXT NOT NULL,
    customer_id        TEXT NOT NULL,
    position           INTEGER NOT NULL,
    address_line1      TEXT,
    address_line2      TEXT,
    address_line3      TEXT,
    address_line4      TEXT,
    address_line5      TEXT,
    address_line6      TEXT,
    city               TEXT,
    state              TEXT,
    postal_code        TEXT,
    country_code       TEXT,
    region_name        TEXT,
    address_usage_code TEXT,
    PRIMARY KEY (case_id, customer_id, position),
    FOREIGN KEY (case_id, customer_id) REFERENCES case_customers (case_id, customer_id) ON DELETE CASCADE
);

-- Numbers are kept as the text of what was sent, with whether it was sent
-- as a JSON number or a string, so it is given back the same way.
CREATE TABLE case_customer_phones (
    case_id               TEXT NOT NULL,
    customer_id           TEXT NOT NULL,
    position              INTEGER NOT NULL,
    phone_number          TEXT,
    phone_number_type     TEXT,
    extension_number      TEXT,
    extension_number_type TEXT,
    phone_usage_code      TEXT,
    PRIMARY KEY (case_id, customer_id, position),
    FOREIGN KEY (case_id, customer_id) REFERENCES case_customers (case_id, customer_id) ON DELETE CASCADE
);

CREATE TABLE case_customer_emails (
    case_id     TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    position    INTEGER NOT NULL,
    email_id    TEXT,
    PRIMARY KEY (case_id, customer_id, position),
    FOREIGN KEY (case_id, customer_id) REFERENCES case_customers (case_id, customer_id) ON DELETE CASCADE
);

CREATE TABLE case_customer_accounts (
    case_id           TEXT NOT NULL,
    customer_id       TEXT NOT NULL,
    position          INTEGER NOT NULL,
    account_id        TEXT,
    account_role_code TEXT,
    PRIMARY KEY (case_id, customer_id, position),
    FOREIGN KEY (case_id, customer_id) REFERENCES case_customers (case_id, customer_id) ON DELETE CASCADE
);

CREATE TABLE case_customer_online_accounts (
    case_id                TEXT NOT NULL,
    customer_id            TEXT NOT NULL,
    position               INTEGER NOT NULL,
    online_account_id      TEXT,
    online_account_user_id TEXT,
    account_id             TEXT,
    relationship_date      TEXT,
    PRIMARY KEY (case_id, customer_id, position),
    FOREIGN KEY (case_id, customer_id) REFERENCES case_customers (case_id, customer_id) ON DELETE CASCADE
);

CREATE TABLE case_customer_anticipatory_profiles (
    case_id                       TEXT NOT NULL,
    customer_id                   TEXT NOT NULL,
    position                      INTEGER NOT NULL,
    profile_metric_code           TEXT,
    average_transaction_amount    DOUBLE PRECISION,
    debit_or_credit_code          TEXT,
    total_amount                  DOUBLE PRECISION,
    period_type_code              TEXT,
    source_of_fund_country_code   TEXT,
    average_transaction_count     DOUBLE PRECISION,
    source_of_fund_institution_id TEXT,
    PRIMARY KEY (case_id, customer_id, position),
    FOREIGN KEY (case_id, customer_id) REFERENCES case_customers (case_id, customer_id) ON DELETE CASCADE
);

-- Every change to a case, oldest first. Kept when a customer is removed.
CREATE TABLE case_audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     TEXT NOT NULL REFERENCES cases (case_id),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    customer_id TEXT,
    from_status TEXT,
    to_status   TEXT
);
CREATE INDEX case_audit_by_case ON case_audit (case_id, id);
