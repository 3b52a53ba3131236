//! What an applicant may do to their application's status (SPEC §D):
//! Submit, gated on the required actions, and Withdraw. The server alone
//! changes a status, through these steps and (later) the bank's decision.

use crate::catalog::Catalog;
use crate::rows::{ActionRow, ApplicantRow};
use crate::store::flow::{Step, CLOSED};
use crate::wire::Signal;

/// The status of a new application.
pub const IN_PROGRESS: &str = "InProgress";

/// Submit: from `InProgress`; an application submitted before (and perhaps
/// reviewed or decided since) answers as it is.
const SUBMIT: Step = Step {
    to: "Submitted",
    from: &[IN_PROGRESS],
    made: &["UnderReview", "Approved", "Rejected"],
};

/// Withdraw: any time before a decision.
const WITHDRAW: Step = Step {
    to: "Withdrawn",
    from: &[IN_PROGRESS, "Submitted", "UnderReview"],
    made: &[],
};

/// Whether the applicant may still change the application's actions (and
/// upload their documents): until it is withdrawn or decided. While it is
/// submitted or under review, an action the bank sends back is answered
/// again.
pub fn actions_open(status: &str) -> bool {
    !CLOSED.contains(&status)
}

/// Whether the applicant may still add or change applicants: only before
/// submission, as the applicants are what the bank's case is opened on.
pub fn applicants_open(status: &str) -> bool {
    status == IN_PROGRESS
}

/// The step a signal asks for, and the outbox event that records it.
pub fn step_of(signal: Signal) -> (Step, &'static str) {
    match signal {
        Signal::Submit => (SUBMIT, "application.submitted"),
        Signal::Withdraw => (WITHDRAW, "application.withdrawn"),
    }
}

/// The verb of a signal, for messages.
pub fn verb(signal: Signal) -> &'static str {
    match signal {
        Signal::Submit => "submitted",
        Signal::Withdraw => "withdrawn",
    }
}

/// The statuses in which an action counts as answered for Submit.
const ANSWERED: [&str; 2] = ["Submitted", "Reviewed"];

/// The `UserActionIdentifier`s that keep an application from being
/// submitted, in listing order: every action whose definition is not
/// skippable and that is not `Submitted` or `Reviewed`, and every
/// pre-requirement the catalog prescribes (`prescribed`) that
/// createPreRequirements has not made yet. Actions whose definition left
/// the catalog are not shown to the applicant, so they hold nothing up.
pub fn pending(
    catalog: &Catalog,
    applicants: &[ApplicantRow],
    prescribed: &[ActionRow],
    actions: &[ActionRow],
) -> Vec<String> {
    let required = |action: &ActionRow| {
        catalog
            .get(&action.name)
            .is_some_and(|(_, definition)| !definition.skippable)
    };
    let missing = prescribed
        .iter()
        .filter(|p| !actions.iter().any(|a| a.identifier == p.identifier));
    let unanswered = actions
        .iter()
        .filter(|a| !ANSWERED.contains(&a.status.as_str()));
    let mut held: Vec<&ActionRow> = unanswered.chain(missing).filter(|a| required(a)).collect();
    let rank = |a: &ActionRow| {
        applicants
            .iter()
            .position(|p| p.entity_id == a.entity_id)
            .unwrap_or(usize::MAX)
    };
    held.sort_by(|a, b| {
        (a.position, rank(a), &a.identifier).cmp(&(b.position, rank(b), &b.identifier))
    });
    held.into_iter().map(|a| a.identifier.clone()).collect()
}
