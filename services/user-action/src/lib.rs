//! user-action-service: the Temenos Infinity Customer Actions Management
//! API, as the bank's onboarding front ends call it.
//!
//! Prospects become applications whose applicants are parties in
//! party-service; a catalog decides which user actions each gets; uploaded
//! files go to document-service. Every operation needs app credentials and
//! an end-user token, and an application belongs to the end user who
//! created it.

mod auth;
pub mod catalog;
pub mod config;
mod error;
mod listing;
mod plan;
mod render;
mod routes;
mod rows;
mod schema;
mod store;
mod wire;

pub use config::UserActionConfig;
pub use error::Code;

use actix_web::middleware::from_fn;
use actix_web::web;
use auth::Apps;
use clients::{DocumentClient, PartyClient};
use config::DATABASE;
use error::CamError;
use routes::State;
use service_kit::config::local_secret_file;
use service_kit::limit::rate_limit;
use service_kit::openapi::{answer_everywhere, document_rate_limit, envelope_response};
use service_kit::server::Context;
use service_kit::{ConfigError, Service};
use std::collections::HashMap;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::OpenApi;

/// The service's name.
pub const NAME: &str = "user-action";

/// The file a standalone run keeps its generated app credentials in, as
/// two header lines (`curl -H @data/app-credentials`).
pub const APP_CREDENTIALS_FILE: &str = "app-credentials";

/// The registered apps: configured, or generated for a standalone run.
fn apps(ctx: &Context, config: &UserActionConfig) -> Result<Apps, ConfigError> {
    if let Some(text) = &config.apps {
        return Apps::parse(text).map_err(|why| ConfigError::invalid("USER_ACTION_APPS", why));
    }
    if !ctx.standalone {
        return Err(ConfigError::invalid(
            "USER_ACTION_APPS",
            "is required when services run in separate processes",
        ));
    }
    let text = local_secret_file(&ctx.config.data_dir, APP_CREDENTIALS_FILE, |secret| {
        format!("X-Kony-App-Key: onboarding-dev-app\nX-Kony-App-Secret: {secret}\n")
    })?;
    let value = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
            .unwrap_or_default()
            .to_owned()
    };
    Ok(Apps::single(
        &value("X-Kony-App-Key:"),
        &value("X-Kony-App-Secret:"),
    ))
}

/// The service's OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    #[derive(OpenApi)]
    #[openapi(
        info(title = "user-action-service", description = "The Temenos Infinity Customer Actions Management API. \
            Every operation needs app credentials (X-Kony-App-Key, X-Kony-App-Secret) and an end-user token \
            (X-Kony-Authorization, or Authorization: Bearer). Errors use the Fabric envelope; dbpErrCode is one of: \
            10001 malformed body, 10002 missing field, 10003 invalid field, 10004 unsupported media type, 10005 body too large, \
            10101 app not authenticated, 10102 end user not authenticated, 10103 forbidden, 10104 too many requests, 10201 no such application, \
            10202 no such user action, 10203 no such document, 10204 no such operation, 10301 status change not allowed, \
            10302 wrong action type, 10303 documents required, 10304 idempotency key in use, 10305 idempotency key reused, \
            10401-10410 the file rules (name characters, extension, leading space, invalid name, too large, empty, bad base64, \
            type not allowed, type mismatch, infected), 10500 internal, 10501 dependency unavailable, 10502 dependency timeout."),
        paths(
            routes::prospect::create_prospect_profile,
            routes::prospect::update_prospect_profile,
            routes::documents::upload_document,
            routes::actions::get_user_actions,
            routes::actions::update_user_action,
            routes::actions::update_user_action_bulk,
            routes::actions::create_pre_requirements,
            routes::documents::get_document,
            routes::actions::get_audit_events,
        ),
        components(schemas(error::FabricError)),
        tags(
            (name = "PersonalInfo", description = "Prospect profiles"),
            (name = "UserAction", description = "Pending user actions and their documents"),
            (name = "Audit", description = "Consents and changes"),
        )
    )]
    struct Doc;
    let mut doc = Doc::openapi();
    let components = doc.components.get_or_insert_with(Default::default);
    for (name, header) in [
        ("appKey", "X-Kony-App-Key"),
        ("appSecret", "X-Kony-App-Secret"),
        ("userToken", "X-Kony-Authorization"),
    ] {
        components.add_security_scheme(
            name,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new(header))),
        );
    }
    // Every operation needs all three together.
    doc.security = Some(vec![["appKey", "appSecret", "userToken"]
        .into_iter()
        .fold(SecurityRequirement::default(), |all, name| {
            all.add(name, Vec::<String>::new())
        })]);
    // What any operation can answer, as every one reads a JSON body and
    // uses the database; operations that say more keep their own words.
    for (status, name, description) in [
        (
            "400",
            "BadRequest",
            "The body is not JSON or not the documented shape, or a field is invalid",
        ),
        (
            "413",
            "BodyTooLarge",
            "The body is larger than the operation accepts",
        ),
        (
            "415",
            "UnsupportedMediaType",
            "The body is not application/json",
        ),
        (
            "500",
            "InternalError",
            "Our own fault; the cause is logged, not told",
        ),
        (
            "503",
            "Unavailable",
            "The database or a service we depend on is unavailable",
        ),
    ] {
        let response = envelope_response(description, "FabricError", "application/json");
        answer_everywhere(&mut doc, name, status, response);
    }
    document_rate_limit(&mut doc, "FabricError", "application/json");
    doc
}

/// Builds the service for the chassis to serve.
pub fn service(ctx: &Context, vars: Option<&HashMap<String, String>>) -> anyhow::Result<Service> {
    let config = UserActionConfig::load(vars)?;
    let db = DATABASE.open(&ctx.config, vars)?;
    let catalog = catalog::Catalog::load(config.catalog_file.as_deref())
        .map_err(|why| ConfigError::invalid("USER_ACTION_CATALOG_FILE", why))?;
    let state = web::Data::new(State {
        db: db.clone(),
        catalog,
        apps: apps(ctx, &config)?,
        tokens: ctx.tokens.clone(),
        party: PartyClient::new(ctx, config.party_service_url.as_deref()),
        documents: DocumentClient::new(ctx, config.document_service_url.as_deref()),
        upload_limit: config.upload_max_bytes,
        reviewer_role: config.reviewer_role.clone(),
        listings: listing::Listings::new(config.listing_cache_bytes),
    });
    Ok(Service::new(NAME, openapi(), db, move |cfg| {
        let limited = state.clone();
        cfg.service(
            web::scope(routes::BASE)
                .app_data(state.clone())
                .wrap(from_fn(move |req, next| {
                    let state = limited.clone();
                    rate_limit::<CamError, _>(req, next, move |req| {
                        auth::rate_limit_client(req, &state.apps, &state.tokens)
                    })
                }))
                .service(
                    web::resource("/PersonalInfo/createProspectProfile")
                        .route(web::post().to(routes::prospect::create_prospect_profile)),
                )
                .service(
                    web::resource("/PersonalInfo/updateProspectProfile")
                        .route(web::post().to(routes::prospect::update_prospect_profile)),
                )
                .service(
                    web::resource("/UserAction/uploadDocument")
                        .route(web::post().to(routes::documents::upload_document)),
                )
                .service(
                    web::resource("/UserAction/getUserActions")
                        .route(web::post().to(routes::actions::get_user_actions)),
                )
                .service(
                    web::resource("/UserAction/updateUserAction")
                        .route(web::post().to(routes::actions::update_user_action)),
                )
                .service(
                    web::resource("/UserAction/updateUserActionBulk")
                        .route(web::post().to(routes::actions::update_user_action_bulk)),
                )
                .service(
                    web::resource("/UserAction/createPreRequirements")
                        .route(web::post().to(routes::actions::create_pre_requirements)),
                )
                .service(
                    web::resource("/UserAction/getDocument")
                        .route(web::post().to(routes::documents::get_document)),
                )
                .service(
                    web::resource("/Audit/getAuditEvents")
                        .route(web::post().to(routes::actions::get_audit_events)),
                )
                .default_service(web::to(routes::no_operation)),
        );
    }))
}
