//! party-service: the internal Party microservice.
//!
//! Persons and organisations with their contact points, identifiers (tax
//! ids), addresses, employment and nationality. Internal: every route needs
//! the internal service credential, and the gateway never routes here.

mod routes;
mod rows;
mod schema;
mod store;

use actix_web::middleware::from_fn;
use actix_web::web;
use diesel_migrations::{embed_migrations, EmbeddedMigrations};
use envconfig::Envconfig;
use service_kit::auth::require_internal_credential;
use service_kit::db::DatabaseUrl;
use service_kit::limit::rate_limit_internal;
use service_kit::server::Context;
use service_kit::{load_config, ConfigError, Database, Migrations, ServerConfig, Service};
use std::collections::HashMap;
use utoipa::OpenApi;

/// The service's name: in URLs, metrics, docs and `onboarding serve party`.
pub const NAME: &str = "party";

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// party-service's configuration.
#[derive(Debug, Clone, Envconfig)]
pub struct PartyConfig {
    /// `postgres://…` or `sqlite://PATH`; by default `DATA_DIR/party.db`.
    #[envconfig(from = "PARTY_DATABASE_URL")]
    pub database_url: Option<String>,
    /// The most database connections the service holds.
    #[envconfig(from = "PARTY_DB_POOL_SIZE", default = "8")]
    pub pool_size: u32,
}

impl PartyConfig {
    /// Loads the configuration from `vars` (the environment when `None`).
    pub fn load(vars: Option<&HashMap<String, String>>) -> Result<Self, ConfigError> {
        let config: Self = load_config(vars)?;
        if config.pool_size == 0 {
            return Err(ConfigError::invalid(
                "PARTY_DB_POOL_SIZE",
                "must be at least 1",
            ));
        }
        Ok(config)
    }

    fn database_url(&self, server: &ServerConfig) -> Result<DatabaseUrl, ConfigError> {
        match &self.database_url {
            Some(url) => DatabaseUrl::parse(url)
                .map_err(|why| ConfigError::invalid("PARTY_DATABASE_URL", why)),
            None => Ok(DatabaseUrl::sqlite_file(&server.data_dir.join("party.db"))),
        }
    }
}

/// Opens the party database, applying pending migrations.
pub fn open_database(
    server: &ServerConfig,
    vars: Option<&HashMap<String, String>>,
) -> anyhow::Result<Database> {
    let config = PartyConfig::load(vars)?;
    let url = config.database_url(server)?;
    let migrations = Migrations {
        sqlite: SQLITE_MIGRATIONS,
        postgres: POSTGRES_MIGRATIONS,
    };
    Database::open(&url, config.pool_size, migrations)
}

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

/// `onboarding migrate`: applies pending migrations.
pub fn migrate(
    server: &ServerConfig,
    vars: Option<&HashMap<String, String>>,
) -> anyhow::Result<()> {
    open_database(server, vars).map(drop)
}

/// `onboarding rekey`: seals every identifier again under the active key
/// and recomputes the blind indexes. Returns how many rows were rewritten.
pub fn rekey(ctx: &Context, vars: Option<&HashMap<String, String>>) -> anyhow::Result<usize> {
    let db = open_database(&ctx.config, vars)?;
    db.run_now(|conn| Ok(store::reseal(conn, &ctx.keyring, true)?))
}

/// Builds the service for the chassis to serve. Identifiers written before
/// encryption was introduced are sealed first.
pub fn service(ctx: &Context, vars: Option<&HashMap<String, String>>) -> anyhow::Result<Service> {
    let db = open_database(&ctx.config, vars)?;
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
