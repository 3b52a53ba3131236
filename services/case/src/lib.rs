//! case-service: the Oracle ECM Case Management API.
//!
//! Compliance teams' case tools call it to add customers to cases
//! (`addCustomer`, exactly as the vendor documents it), remove them, read
//! case statuses, and, with our own operations in the same family and
//! envelope, create cases, change their status, read a case with its
//! customers, find the cases of a customer and read a case's audit trail.
//!
//! Public: every operation needs a bearer token (JWT). `businessAdd: "Y"`
//! customers are looked up in party-service over internal HTTP.

mod business;
pub mod caller;
pub mod config;
pub mod delivery;
pub mod error;
mod four_eyes;
pub mod loading;
pub mod openapi;
mod realtime;
pub mod routes;
mod rows;
mod schema;
pub mod status;
mod store;
pub mod wire;

use actix_web::web;
use clients::{PartyClient, UserActionClient};
use config::CaseConfig;
use config::DATABASE;
use service_kit::server::Context;
use service_kit::Service;
use std::collections::HashMap;
use std::sync::Arc;

pub use domain::erasure::ApplicationErasure;
pub use store::erasure::Erased;

/// The service's name: in metrics, docs and `onboarding serve case`.
pub const NAME: &str = "case";

/// What the ECM API asks of bearer tokens, as configured in `vars` (the
/// environment when `None`): `onboarding token --for case` mints for it.
pub fn token_policy(
    vars: Option<&HashMap<String, String>>,
) -> Result<service_kit::auth::TokenPolicy, service_kit::ConfigError> {
    CaseConfig::load(vars)?.token_policy()
}

/// The service's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi::document()
}

/// `onboarding rekey`: seals every sensitive field not under the active key
/// again. Returns how many were rewritten.
pub fn rekey(ctx: &Context, vars: Option<&HashMap<String, String>>) -> anyhow::Result<usize> {
    let db = DATABASE.open(&ctx.config, vars)?;
    db.run_now(|conn| Ok(store::sealing::reseal(conn, &ctx.keyring, true)?))
}

/// `onboarding erase`: erases the customers `ids` (party ids) from every
/// case they are on, by `actor`: the case and its trail stay, the
/// customers' personal fields and audit values become the tombstone, and
/// so do their entity names in the events naming them.
pub fn erase(
    ctx: &Context,
    vars: Option<&HashMap<String, String>>,
    ids: &[String],
    actor: &str,
) -> anyhow::Result<Erased> {
    let db = DATABASE.open(&ctx.config, vars)?;
    db.run_now(|conn| {
        let mut total = Erased::default();
        for id in ids {
            let erased = store::erasure::erase(conn, &ctx.keyring, id, actor)?;
            total.customers += erased.customers;
            total.audit_values += erased.audit_values;
            total.events += erased.events;
        }
        Ok(total)
    })
}

/// Erases application `application_id`'s values from its case
/// (`store::application_erasure`), recording `actor`.
pub fn erase_application(
    ctx: &Context,
    vars: Option<&HashMap<String, String>>,
    application_id: &str,
    actor: &str,
) -> anyhow::Result<ApplicationErasure> {
    let db = DATABASE.open(&ctx.config, vars)?;
    db.run_now(|conn| {
        Ok(store::application_erasure::erase(
            conn,
            &ctx.keyring,
            application_id,
            actor,
        )?)
    })
}

/// Whether `id` is a customer on any case.
pub fn is_customer(
    ctx: &Context,
    vars: Option<&HashMap<String, String>>,
    id: &str,
) -> anyhow::Result<bool> {
    let db = DATABASE.open(&ctx.config, vars)?;
    db.run_now(|conn| Ok(store::erasure::is_customer(conn, id)?))
}

/// `onboarding import FILE`: loads the bank's business records from a JSON
/// Lines file (one `{"kind", "record"}` a line) into the case database.
/// Every line is checked first, and nothing is loaded when any is refused.
/// Returns how many records were loaded. Rows written before sealing are
/// sealed first, as the service does when it starts: a record loaded under
/// its id's blind index must replace the one a legacy row holds, which is
/// found by that index only once sealed.
pub fn import(
    ctx: &Context,
    vars: Option<&HashMap<String, String>>,
    path: &std::path::Path,
) -> anyhow::Result<usize> {
    let db = DATABASE.open(&ctx.config, vars)?;
    db.run_now(|conn| Ok(store::sealing::reseal(conn, &ctx.keyring, false)?))?;
    let open = || -> std::io::Result<Box<dyn std::io::BufRead>> {
        Ok(Box::new(std::io::BufReader::with_capacity(
            1 << 20,
            std::fs::File::open(path)?,
        )))
    };
    Ok(loading::import(&db, &ctx.keyring, open)?)
}

/// Builds the service for the chassis to serve. Fields written before
/// sealing was introduced are sealed first.
pub fn service(ctx: &Context, vars: Option<&HashMap<String, String>>) -> anyhow::Result<Service> {
    let config = CaseConfig::load(vars)?;
    let db = DATABASE.open(&ctx.config, vars)?;
    let sealed = db.run_now(|conn| Ok(store::sealing::reseal(conn, &ctx.keyring, false)?))?;
    if sealed > 0 {
        tracing::info!(fields = sealed, "legacy customer fields sealed");
    }
    let mut destinations: Vec<Arc<dyn outbox::Destination>> =
        vec![Arc::new(delivery::ToUserAction {
            db: db.clone(),
            keyring: ctx.keyring.clone(),
            user_action: UserActionClient::new(ctx, config.user_action_service_url.as_deref()),
        })];
    destinations.extend(outbox::webhook::destinations(vars)?);
    let outbox = outbox::Outbox::new(
        NAME,
        db.clone(),
        destinations,
        outbox::Settings::load(vars)?,
    )?;
    let (outbox_waker, delivery_log) = (outbox.waker(), outbox.log());
    let dispatcher = outbox.start();
    let state = web::Data::new(routes::AppState {
        db: db.clone(),
        outbox: outbox_waker,
        party: PartyClient::new(ctx, config.party_service_url.as_deref()),
        max_customers: config.max_customers_per_request,
        max_body: config.max_body_bytes,
        max_business_records: config.max_business_records_per_request,
        max_business_body: config.max_business_body_bytes,
        lock_seconds: config.lock_seconds,
        keyring: ctx.keyring.clone(),
        due_days: config.due_days,
        four_eyes: four_eyes::FourEyes::new(config.four_eyes_threshold()?),
    });
    let tokens = ctx.tokens.verifier(&config.token_policy()?);
    Ok(Service::new(NAME, openapi(), db, move |cfg| {
        routes::register(cfg, state.clone(), tokens.clone(), delivery_log.clone());
    })
    .on_stop(move || {
        let dispatcher = dispatcher.clone();
        async move { dispatcher.stop().await }
    }))
}
