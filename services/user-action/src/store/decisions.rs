//! The bank's decisions on an application's case (SPEC §D), as
//! case-service sends them: each applied once, by its id, in the
//! transaction of its effect.

use super::actions::{apply, Change};
use super::flow::{change_status, lock, publish, record_case, SUBMITTED};
use super::record;
use crate::rows::{ActionRow, AuditRow, OutboxRow};
use crate::schema::{action_documents, applications, applied_decisions, user_actions};
use diesel::prelude::*;
use domain::flow::{kinds, CaseDecision, CaseDecisionData, EvidenceReview};
use service_kit::db::{write_transaction, DbConnection};
use service_kit::Keyring;

/// What became of a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decided {
    /// Applied now: this is what it changed.
    Applied,
    /// Recorded; there was nothing to change (the action or the
    /// application is as the decision would make it, the applicant holds
    /// the action, or the case's status means nothing to the application).
    Unchanged,
    /// Recorded; the application is not before the bank (still in
    /// progress, withdrawn, decided or erased) and takes no decision.
    Ignored,
    /// Applied before (by id), with this outcome: nothing changed now.
    Repeat(String),
    /// No such application.
    Missing,
    /// The document is not attached to the application: nothing recorded.
    UnknownDocument,
    /// The action changed while the decision was applied: nothing
    /// recorded, a retry applies it.
    Changed,
}

impl Decided {
    /// The outcome recorded with the decision's id, when it is recorded.
    pub fn recorded(&self) -> Option<&'static str> {
        match self {
            Self::Applied => Some("applied"),
            Self::Unchanged => Some("unchanged"),
            Self::Ignored => Some("ignored"),
            _ => None,
        }
    }
}

/// The case's statuses that decide an application, and what they make it.
fn outcome_of(case_status: &str) -> Option<(&'static str, &'static str)> {
    match case_status {
        "APR" => Some(("Approved", kinds::APPLICATION_APPROVED)),
        "REJ" => Some(("Rejected", kinds::APPLICATION_REJECTED)),
        _ => None,
    }
}

/// Applies `decision` to application `application_id`, once by its id:
/// the effect, its audit events (by the decision's `actor`), any outbox
/// event (by request `request_id`) and the decision's id are written in
/// one transaction. Review comments are sealed.
pub fn decide(
    conn: &mut DbConnection,
    keyring: &Keyring,
    application_id: &str,
    decision: &CaseDecision,
    request_id: Option<&str>,
) -> QueryResult<Decided> {
    let now = service_kit::db::timestamp(chrono::Utc::now());
    write_transaction(conn, |conn| {
        // The application's row is locked first: a repeat sent at once
        // waits for the first, then finds its id.
        let Some(status) = lock(conn, application_id)? else {
            return Ok(Decided::Missing);
        };
        let seen: Option<String> = applied_decisions::table
            .find(&decision.id)
            .select(applied_decisions::outcome)
            .first(conn)
            .optional()?;
        if let Some(outcome) = seen {
            return Ok(Decided::Repeat(outcome));
        }
        let closed = !SUBMITTED.contains(&status.as_str())
            || super::erasure::is_erased(conn, application_id)?;
        let decided = if closed {
            Decided::Ignored
        } else {
            match &decision.data {
                CaseDecisionData::EvidenceAccepted(review) => {
                    review_evidence(conn, keyring, application_id, decision, review, true)?
                }
                CaseDecisionData::EvidenceRejected(review) => {
                    review_evidence(conn, keyring, application_id, decision, review, false)?
                }
                CaseDecisionData::StatusChanged(change) => {
                    let at = Context {
                        application_id,
                        status: &status,
                        now: &now,
                        request_id,
                    };
                    case_status(conn, &at, decision, &change.old_status, &change.new_status)?
                }
            }
        };
        let Some(outcome) = decided.recorded() else {
            return Ok(decided);
        };
        if !closed {
            record_case(conn, application_id, &decision.case_id)?;
        }
        remember(conn, decision, application_id, outcome, &now)?;
        Ok(decided)
    })
}

/// Records the decision's id with its outcome.
fn remember(
    conn: &mut DbConnection,
    decision: &CaseDecision,
    application_id: &str,
    outcome: &str,
    now: &str,
) -> QueryResult<()> {
    let kind = match decision.data {
        CaseDecisionData::EvidenceAccepted(_) => kinds::EVIDENCE_ACCEPTED,
        CaseDecisionData::EvidenceRejected(_) => kinds::EVIDENCE_REJECTED,
        CaseDecisionData::StatusChanged(_) => kinds::CASE_STATUS_CHANGED,
    };
    diesel::insert_into(applied_decisions::table)
        .values((
            applied_decisions::id.eq(&decision.id),
            applied_decisions::application_id.eq(application_id),
            applied_decisions::kind.eq(kind),
            applied_decisions::outcome.eq(outcome),
            applied_decisions::applied_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// A case worker's review of a document: the action it answers becomes
/// `Reviewed` (`accepted`) or goes back to the applicant `Rejected` with
/// the comments as its sealed `ReviewComment`, by the rules of the
/// reviewer's updateUserAction. An action the applicant holds (`Created`,
/// `Skipped`) is left to them.
fn review_evidence(
    conn: &mut DbConnection,
    keyring: &Keyring,
    application_id: &str,
    decision: &CaseDecision,
    review: &EvidenceReview,
    accepted: bool,
) -> QueryResult<Decided> {
    let action: Option<ActionRow> = action_documents::table
        .inner_join(user_actions::table.on(user_actions::id.eq(action_documents::action_id)))
        .filter(action_documents::document_id.eq(&review.document_id))
        .filter(user_actions::application_id.eq(application_id))
        .select(ActionRow::as_select())
        .first(conn)
        .optional()?;
    let Some(action) = action else {
        return Ok(Decided::UnknownDocument);
    };
    let action = action.opened(keyring)?;
    let target = if accepted { "Reviewed" } else { "Rejected" };
    let reviewable = ["Submitted", "Reviewed", "Rejected"].contains(&action.status.as_str());
    if action.status == target || !reviewable {
        return Ok(Decided::Unchanged);
    }
    let change = Change {
        action_id: action.id.clone(),
        version: action.version,
        status: target.to_owned(),
        response: action.response.clone(),
        update_id: domain::ids::new_hex24(),
        review_comment: Some(if accepted {
            None
        } else {
            review.comments.clone()
        }),
        event: AuditRow::now(
            application_id,
            &decision.actor,
            "status-change",
            &action.identifier,
            Some(&action.status),
            Some(target),
        ),
        request_id: None,
    };
    Ok(if apply(conn, keyring, std::slice::from_ref(&change))? {
        Decided::Applied
    } else {
        Decided::Changed
    })
}

/// Where a case status change is applied.
struct Context<'a> {
    application_id: &'a str,
    status: &'a str,
    now: &'a str,
    request_id: Option<&'a str>,
}

/// The case's change of status, kept on the application (so that `RFI`
/// shows it pending with the customer) and audited; `APR` and `REJ`
/// decide the application, writing `application.approved` or
/// `application.rejected` to the outbox.
fn case_status(
    conn: &mut DbConnection,
    at: &Context<'_>,
    decision: &CaseDecision,
    old: &str,
    new: &str,
) -> QueryResult<Decided> {
    diesel::update(applications::table.find(at.application_id))
        .set(applications::case_status.eq(new))
        .execute(conn)?;
    let audit = AuditRow::now(
        at.application_id,
        &decision.actor,
        "case-status",
        &decision.case_id,
        Some(old),
        Some(new),
    );
    record(conn, std::slice::from_ref(&audit))?;
    let Some((to, kind)) = outcome_of(new) else {
        return Ok(Decided::Applied);
    };
    change_status(
        conn,
        at.application_id,
        &decision.actor,
        at.status,
        to,
        at.now,
    )?;
    let mut event = OutboxRow::new(
        at.application_id,
        kind,
        &serde_json::json!({"Application_id": at.application_id, "ApplicationStatus": to, "caseId": decision.case_id}),
    );
    event.request_id = at.request_id.map(str::to_owned);
    publish(conn, &event)?;
    Ok(Decided::Applied)
}
