//! A service's own database, as the service names it: its name and its
//! migrations. The variables that configure it, its default file, its pool
//! and its migration at start are the chassis's, the same for every service.

use super::{Database, DatabaseUrl, Migrations};
use crate::config::{ConfigError, ServerConfig};
use std::collections::HashMap;

/// Declares a service's own database as the constant `DATABASE` (an
/// [`OwnDatabase`]): named `$name` (the service's `NAME`), with the
/// migrations in the calling crate's `migrations/sqlite` and
/// `migrations/postgres`. Every service declares it in its `config.rs`, so
/// the declaration is written once here.
#[macro_export]
macro_rules! own_database {
    ($name:expr) => {
        /// The service's own database: `<SERVICE>_DATABASE_URL` (by default
        /// `DATA_DIR/<service>.db`) and `<SERVICE>_DB_POOL_SIZE`, read by the
        /// chassis.
        pub const DATABASE: $crate::db::OwnDatabase = {
            // The code embed_migrations! writes names `diesel_migrations`.
            use $crate::db::diesel_migrations;
            $crate::db::OwnDatabase {
                service: $name,
                migrations: $crate::db::Migrations {
                    sqlite: diesel_migrations::embed_migrations!("migrations/sqlite"),
                    postgres: diesel_migrations::embed_migrations!("migrations/postgres"),
                },
            }
        };
    };
}

/// How many connections a service's pool holds unless configured.
const DEFAULT_POOL_SIZE: u32 = 8;

/// A service's own database. A service declares one as a constant and opens
/// it with [`OwnDatabase::open`]; for the service `user-action` it reads:
///
/// - `USER_ACTION_DATABASE_URL`: `postgres://…` or `sqlite://PATH`; by
///   default `DATA_DIR/user-action.db`;
/// - `USER_ACTION_DB_POOL_SIZE`: the most connections held (8).
pub struct OwnDatabase {
    /// The service's name, which the variables and the default file follow.
    pub service: &'static str,
    /// The service's migrations, applied when the database is opened.
    pub migrations: Migrations,
}

impl OwnDatabase {
    /// The variable holding the database's URL: see [`url_variable`].
    pub fn url_variable(&self) -> String {
        url_variable(self.service)
    }

    /// The variable holding the pool's size, `<SERVICE>_DB_POOL_SIZE`.
    pub fn pool_variable(&self) -> String {
        format!("{}_DB_POOL_SIZE", variable_prefix(self.service))
    }

    /// The configured URL, or the default SQLite file under `DATA_DIR`.
    pub fn url(
        &self,
        server: &ServerConfig,
        vars: Option<&HashMap<String, String>>,
    ) -> Result<DatabaseUrl, ConfigError> {
        let variable = self.url_variable();
        match lookup(vars, &variable) {
            Some(url) => {
                DatabaseUrl::parse(&url).map_err(|why| ConfigError::invalid(&variable, why))
            }
            None => Ok(DatabaseUrl::sqlite_file(
                &server.data_dir.join(format!("{}.db", self.service)),
            )),
        }
    }

    /// The configured pool size, at least 1.
    pub fn pool_size(&self, vars: Option<&HashMap<String, String>>) -> Result<u32, ConfigError> {
        let variable = self.pool_variable();
        let Some(text) = lookup(vars, &variable) else {
            return Ok(DEFAULT_POOL_SIZE);
        };
        match text.parse::<u32>() {
            Ok(0) => Err(ConfigError::invalid(&variable, "must be at least 1")),
            Ok(size) => Ok(size),
            Err(_) => Err(ConfigError::invalid(
                &variable,
                "has a value that cannot be parsed",
            )),
        }
    }

    /// Opens the pool and applies the pending migrations (what `onboarding
    /// migrate` does, and every service at start).
    pub fn open(
        &self,
        server: &ServerConfig,
        vars: Option<&HashMap<String, String>>,
    ) -> anyhow::Result<Database> {
        let url = self.url(server, vars)?;
        Database::open(&url, self.pool_size(vars)?, &self.migrations)
    }
}

/// The variable holding the URL of `service`'s database,
/// `<SERVICE>_DATABASE_URL` (the name in capitals, `-` as `_`): for the
/// chassis, and for whatever starts a service with a database of its own
/// choosing (the tests).
pub fn url_variable(service: &str) -> String {
    format!("{}_DATABASE_URL", variable_prefix(service))
}

fn variable_prefix(service: &str) -> String {
    service.to_uppercase().replace('-', "_")
}

/// A variable from `vars`, or from the environment when `None`, as
/// envconfig reads them.
fn lookup(vars: Option<&HashMap<String, String>>, name: &str) -> Option<String> {
    match vars {
        Some(vars) => vars.get(name).cloned(),
        None => std::env::var(name).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::vars;
    use diesel_migrations::EmbeddedMigrations;

    const DB: OwnDatabase = OwnDatabase {
        service: "user-action",
        migrations: Migrations {
            sqlite: EmbeddedMigrations::new(&[]),
            postgres: EmbeddedMigrations::new(&[]),
        },
    };

    #[test]
    fn variables_follow_the_service_name() {
        assert_eq!(DB.url_variable(), "USER_ACTION_DATABASE_URL");
        assert_eq!(DB.pool_variable(), "USER_ACTION_DB_POOL_SIZE");
    }

    #[test]
    fn pool_size_defaults_and_refusals_name_the_variable() {
        assert_eq!(DB.pool_size(Some(&vars(&[]))).unwrap(), 8);
        assert_eq!(
            DB.pool_size(Some(&vars(&[("USER_ACTION_DB_POOL_SIZE", "3")])))
                .unwrap(),
            3
        );
        for (bad, why) in [
            ("0", "must be at least 1"),
            ("x", "has a value that cannot be parsed"),
        ] {
            assert_eq!(
                DB.pool_size(Some(&vars(&[("USER_ACTION_DB_POOL_SIZE", bad)])))
                    .unwrap_err()
                    .to_string(),
                format!("configuration: USER_ACTION_DB_POOL_SIZE {why}")
            );
        }
    }

    #[test]
    fn the_url_is_configured_or_the_default_file() {
        let server = ServerConfig::load(Some(&vars(&[("DATA_DIR", "/srv/data")]))).unwrap();
        let default = DB.url(&server, Some(&vars(&[]))).unwrap();
        assert_eq!(default.target, "/srv/data/user-action.db");
        let refused = DB
            .url(
                &server,
                Some(&vars(&[("USER_ACTION_DATABASE_URL", "mysql://x")])),
            )
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            refused.as_deref(),
            Some("configuration: USER_ACTION_DATABASE_URL must start with postgres://, postgresql:// or sqlite://")
        );
    }
}
