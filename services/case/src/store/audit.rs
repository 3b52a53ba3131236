//! The audit trail: one row per change, written in the transaction of the
//! change itself, so a change and its record stand or fall together.

use super::Page;
use crate::rows::audit::{AuditRow, NewAudit};
use crate::schema::case_audit;
use crate::wire::audit::AuditEvent;
use crate::wire::records::RecordKind;
use diesel::prelude::*;
use service_kit::{DbConnection, Failure, Keyring};

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The case was created.
    CaseCreated,
    /// A customer was added.
    CustomerAdded,
    /// A customer was removed.
    CustomerRemoved,
    /// The customer's personal data was erased (`onboarding erase`); no
    /// values.
    CustomerErased,
    /// The status was changed.
    StatusChanged,
    /// A business record was added.
    RecordAdded(RecordKind),
    /// A business record was removed.
    RecordRemoved(RecordKind),
    /// An event was saved to the case (promoted or extended to it).
    EventAdded,
    /// A decision was recorded on an event (the codes before and after).
    EventDecided,
    /// The description was set (old and new values).
    DescriptionChanged,
    /// A narrative was added (its text as the new value, its id as the
    /// record).
    NarrativeAdded,
    /// The case was locked, or its lock renewed (the expiries before and
    /// after).
    LockTaken,
    /// The holder released the lock (its expiry as the old value).
    LockReleased,
    /// A document of the case's application became its evidence, or was
    /// sent again (its id as the record; no values).
    EvidenceAdded,
    /// A case worker reviewed a document (its id as the record; the
    /// decisions before and after as the values).
    EvidenceReviewed,
    /// The application's values on the case (evidence file names and
    /// comments, requests' messages) were erased; no values.
    ApplicationErased,
    /// The case was assigned, reassigned or unassigned (`assignCase`: the
    /// assignees before and after as the values, `null` for no one).
    CaseAssigned,
    /// A case worker recommended a closing status (`recommendCaseStatus`:
    /// the open recommendation's code before and the code recommended as
    /// the statuses, their comments as the values).
    StatusRecommended,
    /// A second case worker set the recommended status (four eyes: the
    /// recommender as the old value, the approver as the new).
    RecommendationApproved,
}

impl Action {
    /// The name it is stored and shown under.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CaseCreated => "caseCreated",
            Self::CustomerAdded => "customerAdded",
            Self::CustomerRemoved => "customerRemoved",
            Self::CustomerErased => "customerErased",
            Self::StatusChanged => "statusChanged",
            Self::RecordAdded(RecordKind::Account) => "accountAdded",
            Self::RecordAdded(RecordKind::ExternalEntity) => "externalEntityAdded",
            Self::RecordAdded(RecordKind::Transaction) => "transactionAdded",
            Self::RecordRemoved(RecordKind::Account) => "accountRemoved",
            Self::RecordRemoved(RecordKind::ExternalEntity) => "externalEntityRemoved",
            Self::RecordRemoved(RecordKind::Transaction) => "transactionRemoved",
            Self::EventAdded => "eventAdded",
            Self::EventDecided => "eventDecided",
            Self::DescriptionChanged => "descriptionChanged",
            Self::NarrativeAdded => "narrativeAdded",
            Self::LockTaken => "lockTaken",
            Self::LockReleased => "lockReleased",
            Self::EvidenceAdded => "evidenceAdded",
            Self::EvidenceReviewed => "evidenceReviewed",
            Self::ApplicationErased => "applicationErased",
            Self::CaseAssigned => "caseAssigned",
            Self::StatusRecommended => "statusRecommended",
            Self::RecommendationApproved => "recommendationApproved",
        }
    }
}

/// The actions whose values are sealed: they carry personal data (a
/// customer, a record, an event or a narrative, whole; a recommendation's
/// or a status change's comment). Their writers seal
/// them (`NewAudit::sealed`); the reads open them, and `rekey` seals them
/// again, by these names.
pub const SEALED: [Action; 12] = [
    Action::CustomerAdded,
    Action::CustomerRemoved,
    Action::RecordAdded(RecordKind::Account),
    Action::RecordAdded(RecordKind::ExternalEntity),
    Action::RecordAdded(RecordKind::Transaction),
    Action::RecordRemoved(RecordKind::Account),
    Action::RecordRemoved(RecordKind::ExternalEntity),
    Action::RecordRemoved(RecordKind::Transaction),
    Action::EventAdded,
    Action::NarrativeAdded,
    Action::StatusRecommended,
    Action::StatusChanged,
];

/// The stored names of the actions whose values are sealed.
pub fn sealed_names() -> [&'static str; SEALED.len()] {
    SEALED.map(Action::as_str)
}

/// Who changed a case, and when.
#[derive(Debug, Clone)]
pub struct Change {
    /// The token's subject.
    pub actor: String,
    /// RFC 3339, UTC.
    pub at: String,
    /// The request that made it, when one did: kept on the outbox events
    /// it writes, so one search follows it across services.
    pub request_id: Option<String>,
}

impl Change {
    /// A change by `actor`, now, in the request being served (if any:
    /// called from the handler, where the request id is known; the
    /// blocking pool's threads do not see it).
    pub fn now(actor: &str) -> Self {
        Self {
            actor: actor.to_owned(),
            at: service_kit::db::timestamp(chrono::Utc::now()),
            request_id: service_kit::observe::current_request_id(),
        }
    }

    /// The audit row of `action` on `case_id`.
    pub fn record(&self, case_id: &str, action: Action) -> NewAudit {
        NewAudit {
            case_id: case_id.to_owned(),
            at: self.at.clone(),
            actor: self.actor.clone(),
            action: action.as_str(),
            customer_id: None,
            from_status: None,
            to_status: None,
            record_id: None,
            record_key: None,
            event_code: None,
            old_value: None,
            new_value: None,
        }
    }
}

/// Writes an audit row.
pub fn write(conn: &mut DbConnection, row: &NewAudit) -> QueryResult<()> {
    diesel::insert_into(case_audit::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Up to `limit` changes to `case_id` after `after`, oldest first, their
/// sealed values opened.
pub fn page(
    conn: &mut DbConnection,
    keyring: &Keyring,
    case_id: &str,
    after: Option<i64>,
    limit: i64,
) -> Result<Page<AuditEvent>, Failure> {
    let mut query = case_audit::table
        .filter(case_audit::case_id.eq(case_id))
        .order(case_audit::id.asc())
        .limit(limit + 1)
        .select(AuditRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(case_audit::id.gt(after));
    }
    let page = Page::of(query.load(conn)?, limit);
    let sealed = sealed_names();
    let items = page
        .items
        .into_iter()
        .map(|row| {
            let seals = sealed.contains(&row.action.as_str());
            row.open(keyring, seals).map_err(Failure::from)
        })
        .collect::<Result<Vec<_>, Failure>>()?;
    Ok(Page {
        items,
        more: page.more,
    })
}
