//! party-service: the internal Party microservice.
//!
//! Persons and organisations with their contact points, identifiers (tax
//! ids), addresses, employment and nationality. Internal: every route needs
//! the internal service credential, and the gateway never routes here.

pub mod config;
mod routes;
mod rows;
mod schema;
mod store;

use actix_web::middleware::from_fn;
use actix_web::web;
use config::DATABASE;
use service_kit::auth::require_internal_credential;
use service_kit::limit::rate_limit_internal;
use service_kit::server::Context;
use service_kit::Service;
use std::collections::HashMap;
use utoipa::OpenApi;

/// The service's name: in URLs, metrics, docs and `onboarding serve party`.
pub const NAME: &str = "party";

/// The service's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    #[derive(OpenApi)]
    #[openapi(
        info(title = "party-service", description = "The internal Party microservice: persons and organisations."),
        paths(routes::create, routes::read, routes::update, routes::delete, routes::list),
        tags((name = "parties", description = "Persons and organisations"))
    )]
    struct Doc;
    let mut doc = Doc::openapi();
    service_kit::openapi::merge_all_of(&mut doc, "Party");
    service_kit::openapi::require_internal_credential(&mut doc);
    service_kit::openapi::document_rate_limit(&mut doc, "Problem", "application/problem+json");
    doc
}

/// `onboarding rekey`: seals every identifier again under the active key
/// and recomputes the blind indexes. Returns how many rows were rewritten.
pub fn rekey(ctx: &Context, vars: Option<&HashMap<String, String>>) -> anyhow::Result<usize> {
    let db = DATABASE.open(&ctx.config, vars)?;
    db.run_now(|conn| Ok(store::reseal(conn, &ctx.keyring, true)?))
}

/// Builds the service for the chassis to serve. Identifiers written before
/// encryption was introduced are sealed first.
pub fn service(ctx: &Context, vars: Option<&HashMap<String, String>>) -> anyhow::Result<Service> {
    let db = DATABASE.open(&ctx.config, vars)?;
    let sealed = db.run_now(|conn| Ok(store::reseal(conn, &ctx.keyring, false)?))?;
    if sealed > 0 {
        tracing::info!(rows = sealed, "legacy identifiers sealed");
    }
    let data = web::Data::new(db.clone());
    let keyring = web::Data::new(ctx.keyring.clone());
    Ok(Service::new(NAME, openapi(), db, move |cfg| {
        cfg.service(
            web::scope(routes::BASE)
                .app_data(data.clone())
                .app_data(keyring.clone())
                .wrap(from_fn(require_internal_credential))
                .wrap(from_fn(rate_limit_internal))
                .service(
                    web::resource("/parties")
                        .route(web::post().to(routes::create))
                        .route(web::get().to(routes::list)),
                )
                .service(
                    web::resource("/parties/{id}")
                        .route(web::get().to(routes::read))
                        .route(web::patch().to(routes::update))
                        .route(web::delete().to(routes::delete)),
                ),
        );
    }))
}
