//! console: the case workers' web console, a service of its own
//! (`onboarding serve console`) at `/console/`.
//!
//! Server-rendered HTML (askama templates, htmx vendored and served by the
//! binary), signed in with a server-side session, begun through the
//! bank's OpenID provider (or the development sign-in). This first slice
//! has sign-in, sessions and their security, and the layout; the case screens
//! come later, over case-service's and user-action's internal APIs (a
//! backend-for-frontend: the console keeps no case data of its own). Its
//! own database holds sessions and sign-ins under way only. It has no JSON API, so no OpenAPI
//! document.

mod caller;
pub mod config;
mod error;
mod headers;
mod oidc;
mod routes;
mod rows;
mod schema;
mod store;
mod sweep;
mod views;
mod wire;

use actix_web::web;
use caller::Gate;
use config::{ConsoleConfig, DATABASE};
use service_kit::server::Context;
use service_kit::Service;
use std::collections::HashMap;

pub use routes::BASE;

/// The service's name: in metrics, logs and `onboarding serve console`.
pub const NAME: &str = "console";

/// Builds the service for the chassis to serve, and starts its session
/// sweep (stopped with the server).
pub fn service(ctx: &Context, vars: Option<&HashMap<String, String>>) -> anyhow::Result<Service> {
    let settings = ConsoleConfig::settings(ctx, vars)?;
    let db = DATABASE.open(&ctx.config, vars)?;
    // Nothing is fetched from the provider until the first sign-in.
    let oidc = match &settings.oidc {
        Some(oidc) => Some(web::Data::new(oidc::Oidc::new(oidc.clone())?)),
        None => None,
    };
    let sweeper = sweep::spawn(db.clone(), sweep::EVERY);
    let screens = web::Data::new(routes::cases::Screens {
        ecm: clients::EcmClient::new(ctx, settings.case_service_url.as_deref()),
        decisions: settings.event_decisions.clone(),
    });
    let user_actions = web::Data::new(routes::UserActions {
        client: clients::UserActionClient::new(ctx, settings.user_action_service_url.as_deref()),
    });
    let gate = web::Data::new(Gate {
        db: db.clone(),
        settings,
    });
    Ok(Service::without_api(NAME, db, move |cfg| {
        if let Some(oidc) = &oidc {
            cfg.app_data(oidc.clone());
        }
        routes::register(cfg, gate.clone(), screens.clone(), user_actions.clone());
    })
    .on_stop(move || {
        sweeper.abort();
        async {}
    }))
}
