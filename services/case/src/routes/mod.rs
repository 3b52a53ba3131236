//! The ECM API's handlers, one per operation, and their registration.

pub mod audit;
mod body;
pub mod business;
pub mod cases;
pub mod customers;
mod plan;
pub mod records;

use crate::error::EcmError;
use actix_web::middleware::from_fn;
use actix_web::web;
use clients::PartyClient;
use service_kit::auth::TokenVerifier;
use service_kit::limit::rate_limit;
use service_kit::server::internal_scope;
use service_kit::{Database, Keyring};

/// The base path of the internal business-records API.
pub const BASE: &str = "/case/v1";

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
    /// The most business records one bulk load may carry.
    pub max_business_records: usize,
    /// The largest body of a bulk load, in bytes.
    pub max_business_body: usize,
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
            .app_data(state.clone())
            .app_data(tokens)
            .wrap(from_fn(move |req, next| {
                let verifier = verifier.clone();
                rate_limit::<EcmError, _>(req, next, move |req| {
                    crate::caller::rate_limit_client(req, &verifier)
                })
            }))
            .service(operation!("addCustomer", customers::add_customer))
            .service(operation!("removeCustomer", customers::remove_customer))
            .service(operation!("addAccount", records::add_account))
            .service(operation!("removeAccount", records::remove_account))
            .service(operation!(
                "addExternalEntity",
                records::add_external_entity
            ))
            .service(operation!(
                "removeExternalEntity",
                records::remove_external_entity
            ))
            .service(operation!("addTransaction", records::add_transaction))
            .service(operation!("removeTransaction", records::remove_transaction))
            .service(operation!(
                "getCaseStatusDetails",
                cases::get_case_status_details
            ))
            .service(operation!("createCase", cases::create_case))
            .service(operation!("updateCaseStatus", cases::update_case_status))
            .service(operation!("getCaseDetails", cases::get_case_details))
            .service(operation!("getCustomerCases", cases::get_customer_cases))
            .service(operation!("getCaseAudit", audit::get_case_audit))
            .default_service(web::to(unknown_operation)),
    );
    cfg.service(
        internal_scope(BASE)
            .app_data(state)
            .service(web::resource("/business-records").route(web::post().to(business::load)))
            .service(
                web::resource("/business-records/{kind}/{id}").route(web::get().to(business::read)),
            ),
    );
}

async fn method_not_allowed() -> Result<actix_web::HttpResponse, EcmError> {
    Err(EcmError::MethodNotAllowed)
}

async fn unknown_operation() -> Result<actix_web::HttpResponse, EcmError> {
    Err(EcmError::UnknownOperation)
}
