//! party-service: the internal Party microservice.
//!
//! Persons and organisations with their contact points, identifiers (tax
//! ids), addresses, employment and nationality. Internal: every route needs
//! the internal service credential, and the gateway never routes here.

mod caller;
pub mod config;
mod openapi;
mod routes;
mod rows;
mod schema;
mod store;
mod wire;

use actix_web::web;
use config::DATABASE;
use routes::AppState;
use service_kit::server::Context;
use service_kit::Service;
use std::collections::HashMap;

/// The service's name: in URLs, metrics, docs and `onboarding serve party`.
pub const NAME: &str = "party";

/// The service's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi::document()
}

/// `onboarding rekey`: seals every party's personal data again under the
/// active key and recomputes the blind indexes. Returns how many parties
/// were rewritten.
pub fn rekey(ctx: &Context, vars: Option<&HashMap<String, String>>) -> anyhow::Result<usize> {
    let db = DATABASE.open(&ctx.config, vars)?;
    db.run_now(|conn| Ok(store::parties::reseal(conn, &ctx.keyring, true)?))
}

/// Builds the service for the chassis to serve. Parties written before
/// their personal data was sealed are sealed first.
pub fn service(ctx: &Context, vars: Option<&HashMap<String, String>>) -> anyhow::Result<Service> {
    let db = DATABASE.open(&ctx.config, vars)?;
    let sealed = db.run_now(|conn| Ok(store::parties::reseal(conn, &ctx.keyring, false)?))?;
    if sealed > 0 {
        tracing::info!(parties = sealed, "parties written before sealing sealed");
    }
    let keyring = ctx.keyring.clone();
    let state = web::Data::new(AppState {
        db: db.clone(),
        keyring: ctx.keyring.clone(),
        creates: db.batched(move |conn, batch| store::parties::insert_all(conn, &keyring, batch)),
    });
    Ok(Service::new(NAME, openapi(), db, move |cfg| {
        routes::register(cfg, state.clone());
    }))
}

/// `onboarding erase`: deletes the parties `ids` with every personal value
/// they hold (contact points, identifiers, addresses and blind indexes go
/// with them). Returns how many existed; one already gone counts nothing.
pub fn erase(
    ctx: &Context,
    vars: Option<&HashMap<String, String>>,
    ids: &[String],
) -> anyhow::Result<usize> {
    let db = DATABASE.open(&ctx.config, vars)?;
    db.run_now(|conn| {
        let mut erased = 0;
        for id in ids {
            let id = domain::PartyId::parse(id).map_err(|e| anyhow::anyhow!("party {id}: {e}"))?;
            if store::parties::delete(conn, &id)? {
                erased += 1;
            }
        }
        Ok(erased)
    })
}

/// Whether party `id` exists (`onboarding erase --party` of a party in no
/// application).
pub fn exists(
    ctx: &Context,
    vars: Option<&HashMap<String, String>>,
    id: &str,
) -> anyhow::Result<bool> {
    let Ok(id) = domain::PartyId::parse(id) else {
        return Ok(false);
    };
    let db = DATABASE.open(&ctx.config, vars)?;
    db.run_now(|conn| Ok(store::parties::find(conn, &ctx.keyring, &id)?.is_some()))
}
