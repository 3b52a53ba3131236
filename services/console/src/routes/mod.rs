//! The console's routes, all under [`BASE`], each answer with the
//! security headers, and every request that may change state checked for
//! its origin.

pub mod applications;
mod assets;
mod auth;
pub mod cases;
mod oidc;
mod pages;
mod results;

use crate::caller::{self, Gate};
use crate::headers;
use actix_web::middleware::from_fn;
use actix_web::web;

/// What the applications screen and the evidence need: user-action's
/// internal API.
pub struct UserActions {
    /// user-action's client.
    pub client: clients::UserActionClient,
}

/// Where the console is served.
pub const BASE: &str = "/console";

/// Registers the console's scope.
pub fn register(
    cfg: &mut web::ServiceConfig,
    gate: web::Data<Gate>,
    screens: web::Data<cases::Screens>,
    user_actions: web::Data<UserActions>,
) {
    cfg.service(
        web::scope(BASE)
            .app_data(gate)
            .app_data(screens)
            .app_data(user_actions)
            // Outermost last: the security headers go on every answer,
            // the origin check's refusals included.
            .wrap(from_fn(caller::same_origin))
            .wrap(from_fn(headers::security_headers))
            .service(web::resource("").route(web::get().to(pages::to_home)))
            .service(web::resource("/").route(web::get().to(pages::home)))
            .configure(cases::register)
            .service(web::resource("/applications").route(web::get().to(applications::list)))
            .service(web::resource("/sign-in").route(web::get().to(auth::sign_in)))
            .service(
                web::resource("/auth/dev")
                    .route(web::get().to(auth::dev_form))
                    .route(web::post().to(auth::dev_sign_in)),
            )
            .service(web::resource("/auth/login").route(web::get().to(oidc::login)))
            .service(web::resource("/auth/callback").route(web::get().to(oidc::callback)))
            .service(web::resource("/sign-out").route(web::post().to(auth::sign_out)))
            .service(web::resource("/signed-out").route(web::get().to(auth::signed_out)))
            .service(web::resource("/assets/{file}").route(web::get().to(assets::serve)))
            .default_service(web::to(pages::not_found)),
    );
}
