//! document-service: the internal Document microservice.
//!
//! Files uploaded for user actions, stored in an object store (a local
//! directory or S3) with their metadata in the service's database. Every
//! document has an owner; only its owner ever reads it. Internal: every
//! route needs the internal service credential.

mod checks;
pub mod config;
mod content;
mod rekey;
mod routes;
mod rows;
mod scan;
mod schema;
mod store;
pub mod sweep;
mod upload;

pub use config::{DocumentConfig, DATABASE};
pub use content::ContentStore;
pub use routes::{OWNER_SUBJECT_HEADER, OWNER_SYSTEM_HEADER};

use actix_web::middleware::from_fn;
use actix_web::web;
use routes::DocumentState;
use service_kit::auth::require_internal_credential;
use service_kit::limit::rate_limit_internal;
use service_kit::server::Context;
use service_kit::Service;
use std::collections::HashMap;
use std::time::Duration;
use utoipa::OpenApi;

/// The service's name.
pub const NAME: &str = "document";

/// `onboarding rekey`: seals every stored document's content that is not
/// under the active key again. Returns how many objects were rewritten.
pub fn rekey(ctx: &Context, vars: Option<&HashMap<String, String>>) -> anyhow::Result<usize> {
    let config = DocumentConfig::load(vars)?;
    let db = DATABASE.open(&ctx.config, vars)?;
    let content = ContentStore::open(&config, &ctx.config, ctx.keyring.clone())?;
    // `Database::run` wants actix's blocking pool, which needs a system.
    actix_web::rt::System::new().block_on(rekey::rekey(&db, &content))
}

/// The service's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    #[derive(OpenApi)]
    #[openapi(
        info(title = "document-service", description = "The internal Document microservice: owned files in object storage. \
            File rules are named by the problem `type`: urn:onboarding:problem:file-name-characters, file-name-extension, \
            file-name-leading-space, file-name-invalid, file-too-large, file-empty, file-bad-base64, file-type-not-allowed, \
            file-type-mismatch, file-infected."),
        paths(routes::create, routes::metadata, routes::content, routes::list, routes::delete),
        tags((name = "documents", description = "Documents and their content"))
    )]
    struct Doc;
    let mut doc = Doc::openapi();
    service_kit::openapi::require_internal_credential(&mut doc);
    service_kit::openapi::document_rate_limit(&mut doc, "Problem", "application/problem+json");
    doc
}

/// Builds the service for the chassis to serve, and starts its sweeper.
pub fn service(ctx: &Context, vars: Option<&HashMap<String, String>>) -> anyhow::Result<Service> {
    let config = DocumentConfig::load(vars)?;
    let db = DATABASE.open(&ctx.config, vars)?;
    let content = ContentStore::open(&config, &ctx.config, ctx.keyring.clone())?;
    sweep::spawn(
        db.clone(),
        content.clone(),
        config.sweep_interval(),
        Duration::from_secs(config.pending_grace_secs),
    );
    let state = web::Data::new(DocumentState {
        db: db.clone(),
        content,
        scanner: scan::Scanner::from_config(config.clamd_address.as_deref()),
        max_bytes: config.max_bytes,
        allowed: config.allowed(),
    });
    Ok(Service::new(NAME, openapi(), db, move |cfg| {
        cfg.service(
            web::scope(routes::BASE)
                .app_data(state.clone())
                .wrap(from_fn(require_internal_credential))
                .wrap(from_fn(rate_limit_internal))
                .service(
                    web::resource("/documents")
                        .route(web::post().to(routes::create))
                        .route(web::get().to(routes::list)),
                )
                .service(
                    web::resource("/documents/{id}")
                        .route(web::get().to(routes::metadata))
                        .route(web::delete().to(routes::delete)),
                )
                .service(
                    web::resource("/documents/{id}/content").route(web::get().to(routes::content)),
                ),
        );
    }))
}
