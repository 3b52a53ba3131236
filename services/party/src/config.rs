//! party-service's configuration: its own database, whose variables the
//! chassis reads. It has no setting of its own.

use diesel_migrations::embed_migrations;
use service_kit::db::OwnDatabase;
use service_kit::Migrations;

/// The service's own database: `PARTY_DATABASE_URL` (by default
/// `DATA_DIR/party.db`) and `PARTY_DB_POOL_SIZE`, read by the chassis.
pub const DATABASE: OwnDatabase = OwnDatabase {
    service: crate::NAME,
    migrations: Migrations {
        sqlite: embed_migrations!("migrations/sqlite"),
        postgres: embed_migrations!("migrations/postgres"),
    },
};
