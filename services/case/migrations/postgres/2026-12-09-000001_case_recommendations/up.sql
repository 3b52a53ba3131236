-- Issue 15, four eyes: a case worker's recommendation of a case's closing
-- status (APR or REJ), open until a second case worker sets that status
-- (or the case is closed otherwise). One open recommendation a case: a new
-- one replaces it. The comment is sealed (it may name the customer).
CREATE TABLE case_recommendations (
    case_id TEXT PRIMARY KEY NOT NULL REFERENCES cases (case_id),
    status_code TEXT NOT NULL,
    recommended_by TEXT NOT NULL,
    recommended_at TEXT NOT NULL,
    comment TEXT NOT NULL
);
