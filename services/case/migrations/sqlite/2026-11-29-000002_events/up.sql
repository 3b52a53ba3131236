-- Real-time events (ECM guide 4.1-4.3), the entities they carry, the
-- suppression rules (4.5) that keep a matching event from becoming a case,
-- and what a case born of events has beyond a created one: a priority and
-- a due date.

ALTER TABLE cases ADD COLUMN priority TEXT;
ALTER TABLE cases ADD COLUMN due_date TEXT;

-- The event an audit entry concerns (an event saved to, or extended to, a case).
ALTER TABLE case_audit ADD COLUMN event_code TEXT;

-- The last number given to a generated case id (CA<number>): one row per
-- prefix, taken under the row's write lock, so concurrent promotions never
-- draw the same number.
CREATE TABLE case_numbers (
    prefix TEXT PRIMARY KEY NOT NULL,
    last   BIGINT NOT NULL
);
INSERT INTO case_numbers (prefix, last) VALUES ('CA', 0);

-- An event. The primary key is what makes an eventCode seen before fail,
-- also when two requests race. details is the JSON array as sent. The
-- decision columns are set later by updateEventRiskDecision (4.17).
CREATE TABLE events (
    event_code          TEXT PRIMARY KEY NOT NULL,
    case_id             TEXT REFERENCES cases (case_id),
    event_score         TEXT,
    data_origin         TEXT,
    jurisdiction_code   TEXT,
    business_domain     TEXT,
    event_type          TEXT,
    priority            TEXT,
    scenario_class      TEXT,
    comments            TEXT,
    details             TEXT NOT NULL,
    suppressed_by       BIGINT,
    event_decision_code BIGINT,
    standard_comment_id TEXT,
    decision_comments   TEXT,
    decided_by          TEXT,
    decided_at          TEXT,
    created_at          TEXT NOT NULL,
    created_by          TEXT NOT NULL
);
-- A case's events, a page at a time.
CREATE INDEX events_by_case ON events (case_id, event_code);

-- The entities an event names (its own "entities" list), in request order.
CREATE TABLE event_entities (
    event_code       TEXT NOT NULL REFERENCES events (event_code) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    entity_code      TEXT,
    entity_type      TEXT,
    entity_type_code TEXT,
    entity_name      TEXT,
    jurisdiction     TEXT,
    focus_flag       TEXT,
    cust_id          TEXT,
    PRIMARY KEY (event_code, position)
);

-- The request's top-level entities about a customer an event names
-- (ECM_CUSTOMER and ECM_CUSTOMER_GENERIC), as sent, sealed: they carry tax
-- ids and free-form genericInformation.
CREATE TABLE event_customers (
    event_code  TEXT NOT NULL REFERENCES events (event_code) ON DELETE CASCADE,
    customer_id TEXT NOT NULL,
    entities    TEXT NOT NULL,
    PRIMARY KEY (event_code, customer_id)
);

-- Suppression rules: an event of this customer and scenario is saved but
-- not promoted while the rule is approved and unexpired. Dates are
-- YYYY-MM-DD, timestamps RFC 3339.
CREATE TABLE suppression_rules (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id    TEXT NOT NULL,
    scenario       TEXT NOT NULL,
    domain         TEXT,
    jurisdiction   TEXT,
    event_code     TEXT,
    case_id        TEXT,
    status_code    TEXT NOT NULL,
    expires_on     TEXT NOT NULL,
    effective_on   TEXT,
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    decided_at     TEXT,
    decided_by     TEXT
);
CREATE INDEX suppression_rules_by_match ON suppression_rules (customer_id, scenario);
