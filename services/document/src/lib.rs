//! document-service: the internal Document microservice.
//!
//! Files uploaded for user actions, stored in an object store (a local
//! directory or S3) with their metadata in the service's database. Every
//! document has an owner; only its owner ever reads it. Internal: every
//! route needs the internal service credential.

mod caller;
mod checks;
pub mod config;
mod content;
mod integrity;
mod openapi;
mod rekey;
mod routes;
mod rows;
mod scan;
mod schema;
mod store;
pub mod sweep;
mod wire;

pub use caller::{OWNER_SUBJECT_HEADER, OWNER_SYSTEM_HEADER};
pub use config::{DocumentConfig, DATABASE};
pub use content::ContentStore;

use actix_web::web;
use routes::AppState;
use service_kit::server::Context;
use service_kit::Service;
use std::collections::HashMap;
use std::time::Duration;

/// The service's name.
pub const NAME: &str = "document";

/// `onboarding rekey`: seals every metadata row's personal values (file
/// name, info and client id) again under the active key, and every stored
/// document's content that is not under it. Returns how many rows and
/// objects were rewritten.
pub fn rekey(ctx: &Context, vars: Option<&HashMap<String, String>>) -> anyhow::Result<usize> {
    let config = DocumentConfig::load(vars)?;
    let db = DATABASE.open(&ctx.config, vars)?;
    let content = ContentStore::open(&config, &ctx.config, ctx.keyring.clone())?;
    let rows = db.run_now(|conn| Ok(store::sealing::reseal(conn, &ctx.keyring, true)?))?;
    // `Database::run` wants actix's blocking pool, which needs a system.
    let objects = actix_web::rt::System::new().block_on(rekey::rekey(&db, &content))?;
    Ok(rows + objects)
}

/// `onboarding erase`: removes the documents `ids` of any owner, their
/// content from the object store first and then their row, so that an
/// erase cut short leaves them hidden (being deleted) and the next run, or
/// the sweeper, finishes them. Returns how many were there to remove.
pub fn erase(
    ctx: &Context,
    vars: Option<&HashMap<String, String>>,
    ids: &[String],
) -> anyhow::Result<usize> {
    let config = DocumentConfig::load(vars)?;
    let db = DATABASE.open(&ctx.config, vars)?;
    let content = ContentStore::open(&config, &ctx.config, ctx.keyring.clone())?;
    // The object store's client wants a runtime.
    let runtime = actix_web::rt::System::new();
    let mut erased = 0;
    for id in ids {
        if !db.run_now(|conn| Ok(store::documents::mark_erasing(conn, id)?))? {
            continue;
        }
        runtime
            .block_on(content.delete(id))
            .map_err(|e| anyhow::anyhow!("document {id}: {e}"))?;
        db.run_now(|conn| Ok(store::documents::delete_row(conn, id)?))?;
        erased += 1;
    }
    Ok(erased)
}

/// The service's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi::document()
}

/// Builds the service for the chassis to serve, and starts its sweeper.
/// Rows written before file names were sealed are sealed first.
pub fn service(ctx: &Context, vars: Option<&HashMap<String, String>>) -> anyhow::Result<Service> {
    let config = DocumentConfig::load(vars)?;
    let db = DATABASE.open(&ctx.config, vars)?;
    let sealed = db.run_now(|conn| Ok(store::sealing::reseal(conn, &ctx.keyring, false)?))?;
    if sealed > 0 {
        tracing::info!(rows = sealed, "rows written before sealing sealed");
    }
    let content = ContentStore::open(&config, &ctx.config, ctx.keyring.clone())?;
    sweep::spawn(
        db.clone(),
        content.clone(),
        config.sweep_interval(),
        Duration::from_secs(config.pending_grace_secs),
    );
    let state = web::Data::new(AppState {
        db: db.clone(),
        content,
        keyring: ctx.keyring.clone(),
        scanner: scan::Scanner::from_config(config.clamd_address.as_deref()),
        max_bytes: config.max_bytes,
        allowed: config.allowed(),
    });
    Ok(Service::new(NAME, openapi(), db, move |cfg| {
        routes::register(cfg, state.clone());
    }))
}
