//! The ECM API's handlers, one per operation, and their registration.

pub mod add_customer;
pub mod cases;
mod plan;
pub mod reads;
pub mod remove_customer;
pub mod status_details;

use crate::error::EcmError;
use actix_web::middleware::from_fn;
use actix_web::{web, HttpRequest};
use clients::PartyClient;
use service_kit::auth::TokenVerifier;
use service_kit::body::{is_json, read_limited};
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
    /// Seals the sensitive customer fields.
    pub keyring: Keyring,
}

/// Reads a JSON body of at most the configured size.
pub async fn read_body(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> Result<web::Bytes, EcmError> {
    if !is_json(req) {
        return Err(EcmError::UnsupportedMediaType);
    }
    Ok(read_limited(req, payload, state.max_body).await?)
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
            .service(operation!("addCustomer", add_customer::add_customer))
            .service(operation!(
                "removeCustomer",
                remove_customer::remove_customer
            ))
            .service(operation!(
                "getCaseStatusDetails",
                status_details::get_case_status_details
            ))
            .service(operation!("createCase", cases::create_case))
            .service(operation!("updateCaseStatus", cases::update_case_status))
            .service(operation!("getCaseDetails", reads::get_case_details))
            .service(operation!("getCustomerCases", reads::get_customer_cases))
            .service(operation!("getCaseAudit", reads::get_case_audit))
            .default_service(web::to(unknown_operation)),
    );
}

async fn method_not_allowed() -> Result<actix_web::HttpResponse, EcmError> {
    Err(EcmError::MethodNotAllowed)
}

async fn unknown_operation() -> Result<actix_web::HttpResponse, EcmError> {
    Err(EcmError::UnknownOperation)
}
