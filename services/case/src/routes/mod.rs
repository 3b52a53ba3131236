//! The ECM API's handlers, one per operation, and their registration.

pub mod audit;
mod body;
pub mod cases;
pub mod customers;
pub mod description;
pub mod locks;
pub mod narratives;
mod plan;

use crate::error::EcmError;
use crate::wire::batch::CaseResult;
use crate::wire::envelope::Status;
use actix_web::http::StatusCode;
use actix_web::middleware::from_fn;
use actix_web::web;
use clients::PartyClient;
use service_kit::auth::TokenVerifier;
use service_kit::limit::rate_limit;
use service_kit::{Database, Keyring};

/// The prefix of every ECM operation.
pub const ECM_PREFIX: &str = "/rest-api/ECMService";

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
    /// How long a case lock lasts, in seconds.
    pub lock_seconds: u32,
    /// Seals the sensitive customer fields.
    pub keyring: Keyring,
}

/// Registers the ECM scope: every operation is `POST`; another method gets
/// a 405 and an unknown operation a 404, both in the ECM envelope.
pub fn register(cfg: &mut web::ServiceConfig, state: web::Data<AppState>, tokens: TokenVerifier) {
    macro_rules! operation {
        ($path:literal, $handler:path) => {
            web::resource(concat!("/CaseManagementService/", $path))
                .route(web::post().to($handler))
                .default_service(web::to(method_not_allowed))
        };
    }
    let tokens = web::Data::new(tokens);
    let verifier = tokens.clone();
    cfg.service(
        web::scope(ECM_PREFIX)
            .app_data(state)
            .app_data(tokens)
            .wrap(from_fn(move |req, next| {
                let verifier = verifier.clone();
                rate_limit::<EcmError, _>(req, next, move |req| {
                    crate::caller::rate_limit_client(req, &verifier)
                })
            }))
            .service(operation!("addCustomer", customers::add_customer))
            .service(operation!("removeCustomer", customers::remove_customer))
            .service(operation!(
                "getCaseStatusDetails",
                cases::get_case_status_details
            ))
            .service(operation!("createCase", cases::create_case))
            .service(operation!("updateCaseStatus", cases::update_case_status))
            .service(operation!("getCaseDetails", cases::get_case_details))
            .service(operation!("getCustomerCases", cases::get_customer_cases))
            .service(operation!("getCaseAudit", audit::get_case_audit))
            .service(operation!(
                "updateCaseDescription",
                description::update_case_description
            ))
            .service(operation!("addNarrative", narratives::add_narrative))
            .service(operation!("lockCase", locks::lock_case))
            .service(operation!("unlockCase", locks::unlock_case))
            .default_service(web::to(unknown_operation)),
    );
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
