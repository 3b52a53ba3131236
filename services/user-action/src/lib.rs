//! user-action-service: the Temenos Infinity Customer Actions Management
//! API, as the bank's onboarding front ends call it.
//!
//! Prospects become applications whose applicants are parties in
//! party-service; a catalog decides which user actions each gets; uploaded
//! files go to document-service. Every operation needs app credentials and
//! an end-user token, and an application belongs to the end user who
//! created it.

mod caller;
pub mod catalog;
pub mod config;
pub mod delivery;
mod error;
mod listing;
mod openapi;
mod prescribe;
mod process;
mod render;
mod routes;
mod rows;
mod schema;
mod store;
mod sweep;
mod wire;

pub use caller::{credentials_file_value, APP_KEY, APP_SECRET};
pub use config::UserActionConfig;
pub use error::ErrorCode;
pub use store::erasure::{Erased, Plan, Target, ERASED_EVENT};

use actix_web::web;
use caller::{Apps, Authenticator};
use clients::{CaseClient, DocumentClient, PartyClient};
use config::DATABASE;
use routes::AppState;
use service_kit::server::Context;
use service_kit::{ConfigError, Service};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// The service's name.
pub const NAME: &str = "user-action";

/// The file a standalone run keeps its generated app credentials in, as
/// two header lines (`curl -H @data/app-credentials`).
pub const APP_CREDENTIALS_FILE: &str = "app-credentials";

/// What the CAM API asks of end-user tokens, as configured in `vars` (the
/// environment when `None`): `onboarding token --for user-action` mints
/// for it.
pub fn token_policy(
    vars: Option<&HashMap<String, String>>,
) -> Result<service_kit::auth::TokenPolicy, ConfigError> {
    UserActionConfig::load(vars)?.token_policy()
}

/// Where a standalone run keeps the app credentials it generated, when the
/// CAM API takes them (`USER_ACTION_APPS` unset); `None` when the apps are
/// configured, or the services run apart.
pub fn generated_app_credentials(
    ctx: &Context,
    vars: Option<&HashMap<String, String>>,
) -> Result<Option<std::path::PathBuf>, ConfigError> {
    let configured = UserActionConfig::load(vars)?.apps.is_some();
    Ok((ctx.standalone && !configured).then(|| ctx.config.data_dir.join(APP_CREDENTIALS_FILE)))
}

/// The service's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi::document()
}

/// `onboarding rekey`: seals every stored personal value again under the
/// active key. Returns how many rows were rewritten.
pub fn rekey(ctx: &Context, vars: Option<&HashMap<String, String>>) -> anyhow::Result<usize> {
    let db = DATABASE.open(&ctx.config, vars)?;
    db.run_now(|conn| Ok(store::sealing::reseal(conn, &ctx.keyring, true)?))
}

/// `onboarding erase`: the application `target` names and what it names
/// in other services; `None` when there is no such application.
pub fn erasure_plan(
    ctx: &Context,
    vars: Option<&HashMap<String, String>>,
    target: Target<'_>,
) -> anyhow::Result<Option<Plan>> {
    let db = DATABASE.open(&ctx.config, vars)?;
    db.run_now(|conn| Ok(store::erasure::plan(conn, target)?))
}

/// `onboarding erase`, last step (after the other services): replaces the
/// application's personal values with the tombstone and records the
/// erasure by `actor`, once.
pub fn erase(
    ctx: &Context,
    vars: Option<&HashMap<String, String>>,
    plan: &Plan,
    actor: &str,
) -> anyhow::Result<Erased> {
    let db = DATABASE.open(&ctx.config, vars)?;
    db.run_now(|conn| Ok(store::erasure::tombstone(conn, &ctx.keyring, plan, actor)?))
}

/// Where user-action's outbox events go: case-service (the submission that
/// opens a case, and what follows it) and the operator's webhook
/// subscriptions.
fn outbox_destinations(
    to_case: delivery::ToCaseService,
    vars: Option<&HashMap<String, String>>,
) -> Result<Vec<Arc<dyn outbox::Destination>>, ConfigError> {
    let mut destinations: Vec<Arc<dyn outbox::Destination>> = vec![Arc::new(to_case)];
    destinations.extend(outbox::webhook::destinations(vars)?);
    Ok(destinations)
}

/// Builds the service for the chassis to serve, and starts its sweeper and
/// its outbox dispatcher (stopped with the server).
/// Rows written before personal values were sealed are sealed first.
pub fn service(ctx: &Context, vars: Option<&HashMap<String, String>>) -> anyhow::Result<Service> {
    let config = UserActionConfig::load(vars)?;
    let db = DATABASE.open(&ctx.config, vars)?;
    let sealed = db.run_now(|conn| Ok(store::sealing::reseal(conn, &ctx.keyring, false)?))?;
    if sealed > 0 {
        tracing::info!(rows = sealed, "rows written before sealing sealed");
    }
    let catalog = catalog::Catalog::load(config.catalog_file.as_deref())
        .map_err(|why| ConfigError::invalid("USER_ACTION_CATALOG_FILE", why))?;
    let authenticator = web::Data::new(Authenticator {
        apps: Apps::configured(ctx, config.apps.as_deref())?,
        tokens: ctx.tokens.verifier(&config.token_policy()?),
    });
    let idempotency = store::idempotency::Lifetimes {
        ttl: Duration::from_secs(config.idempotency_ttl_secs),
        lease: Duration::from_secs(config.idempotency_lease_secs),
    };
    let party = PartyClient::new(ctx, config.party_service_url.as_deref());
    let documents = DocumentClient::new(ctx, config.document_service_url.as_deref());
    let cases = CaseClient::new(ctx, config.case_service_url.as_deref());
    sweep::spawn(
        sweep::Sweeper {
            db: db.clone(),
            party: party.clone(),
            documents: documents.clone(),
            cases: cases.clone(),
            grace: Duration::from_secs(config.sweep_grace_secs),
            idempotency,
            retention: config.retention(),
            keyring: ctx.keyring.clone(),
        },
        Duration::from_secs(config.sweep_interval_secs),
    );
    let outbox = outbox::Outbox::new(
        NAME,
        db.clone(),
        outbox_destinations(
            delivery::ToCaseService {
                db: db.clone(),
                keyring: ctx.keyring.clone(),
                catalog: catalog.clone(),
                cases,
            },
            vars,
        )?,
        outbox::Settings::load(vars)?,
    )?;
    let (outbox_waker, delivery_log) = (outbox.waker(), outbox.log());
    let dispatcher = outbox.start();
    let state = web::Data::new(AppState {
        db: db.clone(),
        outbox: outbox_waker,
        catalog,
        party,
        documents,
        upload_limit: config.upload_max_bytes,
        reviewer_role: config.reviewer_role.clone(),
        max_co_applicants: config.max_co_applicants,
        document_limits: store::actions::DocumentLimits {
            documents_per_action: config.max_documents_per_action,
            bytes_per_application: config.max_bytes_per_application,
        },
        audit_page_size: config.audit_page_size,
        listings: listing::Listings::new(config.listing_cache_bytes),
        revisions: db.batched(|conn, owners| Ok(store::revisions::of_owners(conn, &owners)?)),
        intents: db.batched(store::intents::record_all),
        new_applications: db.batched(store::applications::create_all),
        idempotency,
        keyring: ctx.keyring.clone(),
    });
    Ok(Service::new(NAME, openapi(), db, move |cfg| {
        routes::register(
            cfg,
            state.clone(),
            authenticator.clone(),
            delivery_log.clone(),
        );
    })
    .on_stop(move || {
        let dispatcher = dispatcher.clone();
        async move { dispatcher.stop().await }
    }))
}
