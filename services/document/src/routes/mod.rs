//! The document API's routes: the handlers' shared state and their
//! registration under [`BASE`].

mod body;
pub mod documents;

use crate::content::ContentStore;
use crate::scan::Scanner;
use actix_web::web;
use service_kit::server::internal_scope;
use service_kit::{Database, Keyring};

/// The base path of the document API.
pub const BASE: &str = "/document/v1";

/// What the handlers share.
pub struct AppState {
    /// The metadata database.
    pub db: Database,
    /// The content store.
    pub content: ContentStore,
    /// The keys the metadata's personal values are sealed with.
    pub keyring: Keyring,
    /// The virus scanner.
    pub scanner: Scanner,
    /// The content size limit.
    pub max_bytes: usize,
    /// The accepted media types.
    pub allowed: Vec<String>,
}

/// Registers the document scope, an internal one (see
/// [`internal_scope`]).
pub fn register(cfg: &mut web::ServiceConfig, state: web::Data<AppState>) {
    cfg.service(
        internal_scope(BASE)
            .app_data(state)
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
