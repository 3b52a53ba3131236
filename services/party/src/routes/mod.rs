//! The party API's routes: the handlers' shared state and their
//! registration under [`BASE`].

pub mod parties;

use actix_web::middleware::from_fn;
use actix_web::web;
use service_kit::auth::require_internal_credential;
use service_kit::limit::rate_limit_internal;
use service_kit::{Database, Keyring};

/// The base path of the party API.
pub const BASE: &str = "/party/v1";

/// What the handlers share.
pub struct AppState {
    /// The party database.
    pub db: Database,
    /// Seals the identifiers and computes their blind indexes.
    pub keyring: Keyring,
}

/// Registers the party scope. Its middlewares run outermost first: the rate
/// limit, then the internal credential, so that a request without the
/// credential is refused (401) before routing (404, 405) or reading a body.
pub fn register(cfg: &mut web::ServiceConfig, state: web::Data<AppState>) {
    cfg.service(
        web::scope(BASE)
            .app_data(state)
            .wrap(from_fn(require_internal_credential))
            .wrap(from_fn(rate_limit_internal))
            .service(
                web::resource("/parties")
                    .route(web::post().to(parties::create))
                    .route(web::get().to(parties::list)),
            )
            .service(
                web::resource("/parties/{id}")
                    .route(web::get().to(parties::read))
                    .route(web::patch().to(parties::update))
                    .route(web::delete().to(parties::delete)),
            ),
    );
}
