//! Reading and writing the user-action database. Each function is one unit
//! of work; writes that belong together share one transaction.

pub mod actions;
pub mod applications;
pub mod idempotency;

use crate::rows::AuditRow;
use crate::schema::audit_events;
use diesel::prelude::*;
use service_kit::db::DbConnection;

/// Records audit events. (One statement each: diesel's two-backend
/// connection cannot batch inserts.)
pub fn record(conn: &mut DbConnection, events: &[AuditRow]) -> QueryResult<()> {
    for event in events {
        diesel::insert_into(audit_events::table)
            .values(event)
            .execute(conn)?;
    }
    Ok(())
}

/// An application's audit trail, oldest first.
pub fn audit_trail(conn: &mut DbConnection, application_id: &str) -> QueryResult<Vec<AuditRow>> {
    audit_events::table
        .filter(audit_events::application_id.eq(application_id))
        .order((audit_events::at.asc(), audit_events::id.asc()))
        .select(AuditRow::as_select())
        .load(conn)
}
