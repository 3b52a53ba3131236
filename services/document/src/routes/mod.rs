//! The document API's routes: the handlers' shared state and their
//! registration under [`BASE`].

pub mod documents;

use crate::content::ContentStore;
use crate::scan::Scanner;
use actix_web::middleware::from_fn;
use actix_web::web;
use service_kit::auth::require_internal_credential;
use service_kit::limit::rate_limit_internal;
use service_kit::Database;

/// The base path of the document API.
pub const BASE: &str = "/document/v1";

/// What the handlers share.
pub struct AppState {
    /// The metadata database.
    pub db: Database,
    /// The content store.
    pub content: ContentStore,
    /// The virus scanner.
    pub scanner: Scanner,
    /// The content size limit.
    pub max_bytes: usize,
    /// The accepted media types.
    pub allowed: Vec<String>,
}

/// Registers the document scope. Its middlewares run outermost first: the
/// rate limit, then the internal credential, so that a request without the
/// credential is refused (401) before routing (404, 405) or reading a body.
pub fn register(cfg: &mut web::ServiceConfig, state: web::Data<AppState>) {
    cfg.service(
        web::scope(BASE)
            .app_data(state)
            .wrap(from_fn(require_internal_credential))
            .wrap(from_fn(rate_limit_internal))
            .service(
                web::resource("/documents")
                    .route(web::post().to(documents::create))
                    .route(web::get().to(documents::list)),
            )
            .service(
                web::resource("/documents/{id}")
                    .route(web::get().to(documents::metadata))
                    .route(web::delete().to(documents::delete)),
            )
            .service(
                web::resource("/documents/{id}/content").route(web::get().to(documents::content)),
            ),
    );
}
