//! Delivering the application's flow to case-service (SPEC §D): the
//! [`ApplicationEvent`] an outbox row stands for, built when it is
//! delivered from where the values live (opened from their seals), and
//! case-service's answer applied ([`case_opened`]). The outbox row holds
//! ids and statuses only.

use crate::catalog::Catalog;
use crate::store;
use clients::CaseClient;
use diesel::QueryResult;
use domain::flow::{
    kinds, ApplicationEvent, ApplicationEventData, Evidence, RmRequest, Submission,
};
use outbox::{BoxFuture, DeliveryError, Destination, OutboxEvent};
use serde_json::Value;
use service_kit::db::DbConnection;
use service_kit::{Database, Failure, Keyring};

pub use store::flow::{CaseOpened, CASE_SERVICE};

/// An outbox row, as the dispatcher read it.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    /// The event's id (a UUID): case-service applies it once.
    pub id: &'a str,
    /// Its kind (`domain::flow::kinds`).
    pub kind: &'a str,
    /// The application it is about (the row's `aggregate_id`).
    pub application_id: &'a str,
    /// The row's payload (JSON: ids and statuses).
    pub payload: &'a str,
    /// When it was written (RFC 3339, UTC).
    pub created_at: &'a str,
}

/// The event for case-service that `event` stands for; `None` for the
/// kinds case-service does not take (`application.approved` and
/// `application.rejected` come from its own decisions: for webhooks only).
///
/// - `application.submitted`: the applicants' party ids (the main
///   applicant's first), every document attached to the application's
///   actions (file names opened from their seals, sizes and SHA-256 as
///   document-service stored them), and the actions whose definition says
///   `NeedsReview`.
/// - `rm.notified`: the request's id and its message, opened.
/// - `evidence.added`: the documents the row names that are still attached.
///
/// An erased application's events carry what is left of it: its
/// applicants' ids, no documents (its attachments are gone), and a request
/// for help's message as the tombstone `[erased]`.
pub fn application_event(
    conn: &mut DbConnection,
    keyring: &Keyring,
    catalog: &Catalog,
    event: &Outgoing<'_>,
) -> QueryResult<Option<ApplicationEvent>> {
    let application = event.application_id;
    let data = match event.kind {
        kinds::APPLICATION_SUBMITTED => {
            let plan =
                store::erasure::plan(conn, store::erasure::Target::Application(application))?
                    .ok_or(diesel::result::Error::NotFound)?;
            let documents = evidence(conn, keyring, application, None)?;
            let needs_review = store::delivery::action_names(conn, application)?
                .into_iter()
                .filter(|(_, name)| catalog.get(name).is_some_and(|(_, d)| d.needs_review))
                .map(|(identifier, _)| identifier)
                .collect();
            ApplicationEventData::Submitted(Submission {
                applicants: plan.party_ids,
                documents,
                needs_review,
            })
        }
        kinds::APPLICATION_WITHDRAWN => ApplicationEventData::Withdrawn {},
        kinds::RM_NOTIFIED => {
            let id = field(event, "id")?;
            let request = store::delivery::rm_request(conn, keyring, &id)?
                .ok_or(diesel::result::Error::NotFound)?;
            ApplicationEventData::RmNotified(RmRequest {
                request_id: request.id,
                message: request.message,
            })
        }
        kinds::EVIDENCE_ADDED => {
            let ids: Vec<String> = serde_json::from_value(
                payload(event)?
                    .get("documentIds")
                    .cloned()
                    .unwrap_or(Value::Null),
            )
            .map_err(|e| malformed(event, e))?;
            ApplicationEventData::EvidenceAdded {
                documents: evidence(conn, keyring, application, Some(&ids))?,
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(ApplicationEvent {
        id: event.id.to_owned(),
        occurred_at: event.created_at.to_owned(),
        data,
    }))
}

/// Records case-service's answer to an event about application
/// `application_id`, naming its case `case_id`: the case id is kept on the
/// application and its requests for help, and a `Submitted` application
/// becomes `UnderReview` (audited as [`CASE_SERVICE`]'s change), in one
/// transaction. Idempotent; a withdrawn or decided application keeps its
/// status. Call it after any delivery whose answer names a case.
pub fn case_opened(
    conn: &mut DbConnection,
    application_id: &str,
    case_id: &str,
) -> QueryResult<CaseOpened> {
    store::flow::case_opened(conn, application_id, case_id)
}

/// The application's documents (those of `only`, when given) as evidence.
fn evidence(
    conn: &mut DbConnection,
    keyring: &Keyring,
    application_id: &str,
    only: Option<&[String]>,
) -> QueryResult<Vec<Evidence>> {
    Ok(
        store::delivery::evidence(conn, keyring, application_id, only)?
            .into_iter()
            .map(|(row, identifier)| Evidence {
                document_id: row.document_id,
                file_name: row.file_name,
                file_type: row.file_type,
                size: row.size,
                sha256: row.sha256,
                user_action_identifier: identifier,
            })
            .collect(),
    )
}

/// The row's payload, parsed.
fn payload(event: &Outgoing<'_>) -> QueryResult<Value> {
    serde_json::from_str(event.payload).map_err(|e| malformed(event, e))
}

/// A text field of the row's payload.
fn field(event: &Outgoing<'_>, name: &str) -> QueryResult<String> {
    payload(event)?
        .get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| malformed(event, format!("no {name}")))
}

/// A payload this service did not write: a fault, not the receiver's.
fn malformed(event: &Outgoing<'_>, why: impl std::fmt::Display) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(
        format!("outbox event {} ({}): {why}", event.id, event.kind).into(),
    )
}

/// case-service as the outbox's destination: it takes the application's
/// events (not the bank's own decisions, which came from it), each built
/// when it is delivered, and its answer's case is recorded
/// ([`case_opened`]). Never gives up: nothing between services is lost.
pub struct ToCaseService {
    /// user-action's database, to build the events and record the answer.
    pub db: Database,
    /// Opens what the events carry sealed.
    pub keyring: Keyring,
    /// Which actions need review.
    pub catalog: Catalog,
    /// case-service.
    pub cases: CaseClient,
}

impl Destination for ToCaseService {
    fn name(&self) -> &str {
        CASE_SERVICE
    }

    fn family(&self) -> &'static str {
        "internal"
    }

    fn wants(&self, kind: &str) -> bool {
        matches!(
            kind,
            kinds::APPLICATION_SUBMITTED
                | kinds::APPLICATION_WITHDRAWN
                | kinds::RM_NOTIFIED
                | kinds::EVIDENCE_ADDED
        )
    }

    fn deliver<'a>(&'a self, event: &'a OutboxEvent) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let (keyring, catalog) = (self.keyring.clone(), self.catalog.clone());
            let row = event.clone();
            let built = self
                .db
                .run(move |conn| {
                    let payload = row.payload.to_string();
                    let outgoing = Outgoing {
                        id: &row.id,
                        kind: &row.kind,
                        application_id: &row.aggregate_id,
                        payload: &payload,
                        created_at: &row.created_at,
                    };
                    Ok::<_, Failure>(application_event(conn, &keyring, &catalog, &outgoing)?)
                })
                .await
                .map_err(|_| DeliveryError::retryable("database"))?;
            let Some(built) = built else {
                return Ok(());
            };
            let answer = self
                .cases
                .application_event(&event.aggregate_id, &built)
                .await
                .map_err(|e| DeliveryError::from(&e))?;
            if let Some(case_id) = answer.case_id {
                let application = event.aggregate_id.clone();
                let opened = self
                    .db
                    .run(move |conn| Ok::<_, Failure>(case_opened(conn, &application, &case_id)?))
                    .await
                    .map_err(|_| DeliveryError::retryable("database"))?;
                tracing::info!(kind = %event.kind, outcome = ?opened, "application event delivered to its case");
            }
            Ok(())
        })
    }
}
