-- SPEC §D, the bank's side of the flow (issue 14): the case an application
-- opened, the case's decisions applied once, and what a submission tells
-- the case of each document.

-- The application's KYC case (case-service's `CA...`), once case-service
-- has opened it, and the case's status as its last decision left it
-- (`RFI`: the application is pending with the customer).
ALTER TABLE applications ADD COLUMN case_id TEXT;
ALTER TABLE applications ADD COLUMN case_status TEXT;

-- getUserActions shows whether the case waits on the customer, so a change
-- of the case's status makes a new revision of the listing, as a change of
-- the application's status does.
CREATE TRIGGER applications_revise_on_case_status BEFORE UPDATE OF case_status ON applications
    FOR EACH ROW WHEN (OLD.case_status IS DISTINCT FROM NEW.case_status)
    EXECUTE FUNCTION revise_application_status();

-- Each document's SHA-256 (lowercase hex), from document-service's answer
-- as it is stored, so a submission's evidence is built without asking
-- document-service again. Documents attached before this keep '' (unknown).
ALTER TABLE action_documents ADD COLUMN sha256 TEXT NOT NULL DEFAULT '';

-- The case's decisions applied to an application, by the decision's id:
-- written in the transaction of the decision's effect, so that a decision
-- delivered again (at least once) changes nothing the second time.
CREATE TABLE applied_decisions (
    id             TEXT PRIMARY KEY NOT NULL, -- the CaseDecision's id (UUID)
    application_id TEXT NOT NULL REFERENCES applications (id),
    kind           TEXT NOT NULL,             -- evidence.accepted, evidence.rejected, case.status_changed
    outcome        TEXT NOT NULL,             -- applied, unchanged (nothing to change), withdrawn
    applied_at     TEXT NOT NULL
);
CREATE INDEX applied_decisions_by_application ON applied_decisions (application_id, applied_at);
