//! The party API's routes: the handlers' shared state and their
//! registration under [`BASE`].

pub mod parties;

use crate::rows::parties::PartyRows;
use crate::store::parties::NewParty;
use crate::store::StoreError;
use actix_web::web;
use service_kit::db::Batched;
use service_kit::server::internal_scope;
use service_kit::{Database, Keyring};

/// The base path of the party API.
pub const BASE: &str = "/party/v1";

/// What the handlers share.
pub struct AppState {
    /// The party database.
    pub db: Database,
    /// Seals the identifiers and computes their blind indexes.
    pub keyring: Keyring,
    /// Creates parties, one transaction for all the creates waiting
    /// ([`crate::store::parties::insert_all`]).
    pub creates: Batched<NewParty, Result<PartyRows, StoreError>>,
}

/// Registers the party scope, an internal one (see [`internal_scope`]).
pub fn register(cfg: &mut web::ServiceConfig, state: web::Data<AppState>) {
    cfg.service(
        internal_scope(BASE)
            .app_data(state)
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
