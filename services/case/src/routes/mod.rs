//! The ECM API's handlers, one per operation, and their registration.

pub mod applications;
pub mod assignment;
pub mod audit;
mod body;
pub mod business;
pub mod cases;
pub mod customers;
pub mod decisions;
pub mod description;
pub mod erasure;
pub mod events;
pub mod evidence;
pub mod inbox;
pub mod locks;
pub mod narratives;
mod plan;
pub mod recommendations;
pub mod records;
pub mod suppression;

use crate::error::EcmError;
use crate::store::Write;
use crate::wire::batch::CaseResult;
use crate::wire::envelope::{Outcome, Status, NO_SUCH_CASE};
use actix_web::http::StatusCode;
use actix_web::middleware::from_fn;
use actix_web::web;
use clients::PartyClient;
use service_kit::auth::TokenVerifier;
use service_kit::limit::rate_limit;
use service_kit::server::internal_scope;
use service_kit::{Database, Keyring};

/// The base path of the internal APIs (business records, erasure, the
/// application flow's events).
pub const BASE: &str = "/case/v1";

/// Where, under [`BASE`], the acting scope serves the case management
/// operations (`/case/v1/ecm/CaseManagementService/{op}`) to a peer acting
/// for a case worker (the console): the internal credential and
/// `X-Acting-Subject`/`X-Acting-Roles` instead of a bearer token. Never
/// routed by the gateway.
pub const ACTING_PATH: &str = "/ecm";

/// The prefix of every ECM operation.
pub const ECM_PREFIX: &str = "/rest-api/ECMService";
/// The prefix of the real-time event and suppression operations.
pub const CM_PREFIX: &str = "/rest-api/CMRestService";
/// The guide's other spelling of [`CM_PREFIX`], served for the real-time
/// event operations.
pub const CM_PREFIX_GUIDE: &str = "/restapi/CMRestService";

/// What the handlers share.
pub struct AppState {
    /// The case database.
    pub db: Database,
    /// party-service, for `businessAdd: "Y"`.
    pub party: PartyClient,
    /// The most customers (or cases) one request may carry.
    pub max_customers: usize,
    /// The largest body accepted, in bytes.
    pub max_body: usize,
    /// The most business records one bulk load may carry.
    pub max_business_records: usize,
    /// The largest body of a bulk load, in bytes.
    pub max_business_body: usize,
    /// How long a case lock lasts, in seconds.
    pub lock_seconds: u32,
    /// Seals the sensitive customer fields.
    pub keyring: Keyring,
    /// How many days after its promotion a case is due.
    pub due_days: u32,
    /// From which effective risk closing a case takes two case workers.
    pub four_eyes: crate::four_eyes::FourEyes,
    /// Wakes the outbox's dispatcher after a change wrote an event (on
    /// SQLite; PostgreSQL's NOTIFY does it by itself).
    pub outbox: outbox::Waker,
}

/// Registers the ECM scopes: every operation is `POST`; another method gets
/// a 405 and an unknown operation a 404, both in the ECM envelope.
pub fn register(
    cfg: &mut web::ServiceConfig,
    state: web::Data<AppState>,
    tokens: TokenVerifier,
    delivery_log: outbox::api::Log,
) {
    macro_rules! operation {
        ($service:literal, $path:literal, $handler:path) => {
            web::resource(concat!("/", $service, "/", $path))
                .route(web::post().to($handler))
                .default_service(web::to(method_not_allowed))
        };
    }
    macro_rules! real_time {
        ($scope:expr) => {
            $scope
                .service(operation!(
                    "RealTimeCaseCreationService",
                    "saveEvents",
                    events::save_events
                ))
                .service(operation!(
                    "RealTimeCaseCreationService",
                    "saveEventsAndPromoteToCase",
                    events::promote
                ))
                .service(operation!(
                    "RealTimeCaseCreationService",
                    "saveEventsAndExtendToCase",
                    events::extend
                ))
        };
    }
    // The case management operations: on the public ECM path with a
    // bearer token, and on the acting scope for a peer acting for a case
    // worker; the very same handlers.
    macro_rules! case_management {
        ($scope:expr) => {
            $scope
                .service(operation!(
                    "CaseManagementService",
                    "addCustomer",
                    customers::add_customer
                ))
                .service(operation!(
                    "CaseManagementService",
                    "removeCustomer",
                    customers::remove_customer
                ))
                .service(operation!(
                    "CaseManagementService",
                    "addAccount",
                    records::add_account
                ))
                .service(operation!(
                    "CaseManagementService",
                    "removeAccount",
                    records::remove_account
                ))
                .service(operation!(
                    "CaseManagementService",
                    "addExternalEntity",
                    records::add_external_entity
                ))
                .service(operation!(
                    "CaseManagementService",
                    "removeExternalEntity",
                    records::remove_external_entity
                ))
                .service(operation!(
                    "CaseManagementService",
                    "addTransaction",
                    records::add_transaction
                ))
                .service(operation!(
                    "CaseManagementService",
                    "removeTransaction",
                    records::remove_transaction
                ))
                .service(operation!(
                    "CaseManagementService",
                    "getCaseStatusDetails",
                    cases::get_case_status_details
                ))
                .service(operation!(
                    "CaseManagementService",
                    "createCase",
                    cases::create_case
                ))
                .service(operation!(
                    "CaseManagementService",
                    "updateCaseStatus",
                    cases::update_case_status
                ))
                .service(operation!(
                    "CaseManagementService",
                    "getCaseDetails",
                    cases::get_case_details
                ))
                .service(operation!(
                    "CaseManagementService",
                    "getCustomerCases",
                    cases::get_customer_cases
                ))
                .service(operation!(
                    "CaseManagementService",
                    "getCaseAudit",
                    audit::get_case_audit
                ))
                .service(operation!(
                    "CaseManagementService",
                    "updateEventRiskDecision",
                    decisions::update_event_risk_decision
                ))
                .service(operation!(
                    "CaseManagementService",
                    "updateCaseDescription",
                    description::update_case_description
                ))
                .service(operation!(
                    "CaseManagementService",
                    "addNarrative",
                    narratives::add_narrative
                ))
                .service(operation!(
                    "CaseManagementService",
                    "reviewEvidence",
                    evidence::review_evidence
                ))
                .service(operation!(
                    "CaseManagementService",
                    "lockCase",
                    locks::lock_case
                ))
                .service(operation!(
                    "CaseManagementService",
                    "unlockCase",
                    locks::unlock_case
                ))
                .service(operation!(
                    "CaseManagementService",
                    "searchCases",
                    inbox::search_cases
                ))
                .service(operation!(
                    "CaseManagementService",
                    "assignCase",
                    assignment::assign_case
                ))
                .service(operation!(
                    "CaseManagementService",
                    "recommendCaseStatus",
                    recommendations::recommend_case_status
                ))
                .default_service(web::to(unknown_operation))
        };
    }
    let tokens = web::Data::new(tokens);
    let scope = |prefix: &str| {
        let verifier = tokens.clone();
        web::scope(prefix)
            .app_data(state.clone())
            .app_data(tokens.clone())
            .wrap(from_fn(move |req, next| {
                let verifier = verifier.clone();
                rate_limit::<EcmError, _>(req, next, move |req| {
                    crate::caller::rate_limit_client(req, &verifier)
                })
            }))
    };
    cfg.service(case_management!(scope(ECM_PREFIX)));
    cfg.service(
        real_time!(scope(CM_PREFIX))
            .service(operation!(
                "SupressionListRestService",
                "getSuppressionRulesList",
                suppression::get_suppression_rules_list
            ))
            .service(operation!(
                "SupressionListRestService",
                "createSuppressionRule",
                suppression::create_suppression_rule
            ))
            .service(operation!(
                "SupressionListRestService",
                "approveSuppressionRule",
                suppression::approve_suppression_rule
            ))
            .service(operation!(
                "SupressionListRestService",
                "rejectSuppressionRule",
                suppression::reject_suppression_rule
            ))
            .default_service(web::to(unknown_operation)),
    );
    cfg.service(real_time!(scope(CM_PREFIX_GUIDE)).default_service(web::to(unknown_operation)));
    cfg.service(
        internal_scope(BASE)
            .app_data(state)
            .service(case_management!(web::scope(ACTING_PATH)
                .app_data(web::Data::new(crate::caller::ActingScope))
                .wrap(from_fn(crate::caller::acting))))
            .service(web::resource("/business-records").route(web::post().to(business::load)))
            .service(
                web::resource("/business-records/{kind}/{id}").route(web::get().to(business::read)),
            )
            .service(
                web::resource("/customers/{customerId}/erasure")
                    .route(web::post().to(erasure::erase)),
            )
            .service(
                web::resource("/applications/{applicationId}/erasure")
                    .route(web::post().to(erasure::erase_application)),
            )
            .service(
                web::resource("/applications/{applicationId}/events")
                    .route(web::post().to(applications::apply)),
            )
            .configure(|cfg| outbox::api::register(cfg, delivery_log)),
    );
}

/// Applies `apply` to each item of a batch on cases, in request order, in
/// one call on the database's blocking pool: an item that did not parse is
/// refused with why. Each case's id as sent and its outcome.
pub async fn each_case<T: Send + 'static>(
    state: &AppState,
    items: Vec<(String, Result<T, String>)>,
    apply: impl Fn(&mut service_kit::DbConnection, T) -> Result<Outcome, EcmError> + Send + 'static,
) -> Result<Vec<(String, Outcome)>, EcmError> {
    state
        .db
        .run(move |conn| {
            let mut outcomes = Vec::with_capacity(items.len());
            for (case_id, item) in items {
                let outcome = match item {
                    Err(message) => Outcome::refused(message),
                    Ok(item) => apply(conn, item)?,
                };
                outcomes.push((case_id, outcome));
            }
            Ok(outcomes)
        })
        .await
}

/// The outcome of a write on one case: `done`'s when it was done, the
/// vendor's refusals when the case does not exist or another user holds
/// its lock.
pub fn written<T>(write: Write<T>, done: impl FnOnce(T) -> Outcome) -> Outcome {
    match write {
        Write::Done(value) => done(value),
        Write::NoSuchCase => Outcome::refused(NO_SUCH_CASE),
        Write::Locked(locked) => Outcome::locked(&locked.holder),
    }
}

/// The answer of an operation on one case, `{MESSAGE, STATUS, caseId}`:
/// `SUCCESS` with a 2xx status, `FAILED` with any other.
pub fn case_answer(status: StatusCode, case_id: &str, message: String) -> actix_web::HttpResponse {
    let outcome = if status.is_success() {
        Status::Success
    } else {
        Status::Failed
    };
    actix_web::HttpResponse::build(status).json(CaseResult {
        message,
        status: outcome,
        case_id: case_id.to_owned(),
    })
}

async fn method_not_allowed() -> Result<actix_web::HttpResponse, EcmError> {
    Err(EcmError::MethodNotAllowed)
}

async fn unknown_operation() -> Result<actix_web::HttpResponse, EcmError> {
    Err(EcmError::UnknownOperation)
}
