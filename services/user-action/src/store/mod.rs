//! Reading and writing the user-action database. Each function is one unit
//! of work; writes that belong together share one transaction.

pub mod actions;
pub mod application_list;
pub mod applications;
pub mod decisions;
pub mod delivery;
pub mod erasure;
pub mod flow;
pub mod idempotency;
pub mod intents;
pub mod revisions;
pub mod sealing;

use crate::rows::AuditRow;
use crate::schema::audit_events;
use diesel::prelude::*;
use service_kit::db::DbConnection;

/// The row counts of the multi-row inserts ([`service_kit::insert_rows!`]):
/// an application's handful of actions or audit events in one or two
/// statements, and the rows of many applications created together in a
/// few, each statement prepared once.
macro_rules! batched {
    ($conn:expr, $table:expr, $rows:expr) => {
        service_kit::on_backend!($conn, |c| service_kit::insert_rows!(
            c,
            $table,
            $rows,
            [64, 8, 4, 2, 1]
        ))
    };
}
pub(crate) use batched;

/// Records audit events.
pub fn record(conn: &mut DbConnection, events: &[AuditRow]) -> QueryResult<()> {
    batched!(conn, audit_events::table, events)
}

/// A page of an application's audit trail, oldest first: up to `limit`
/// events after `after` (the time and id of the previous page's last
/// event), and whether more follow.
pub fn audit_page(
    conn: &mut DbConnection,
    application_id: &str,
    after: Option<(&str, &str)>,
    limit: i64,
) -> QueryResult<(Vec<AuditRow>, bool)> {
    let mut query = audit_events::table
        .filter(audit_events::application_id.eq(application_id))
        .order((audit_events::at.asc(), audit_events::id.asc()))
        .limit(limit + 1)
        .select(AuditRow::as_select())
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(
            audit_events::at
                .gt(at)
                .or(audit_events::at.eq(at).and(audit_events::id.gt(id))),
        );
    }
    let mut events = query.load(conn)?;
    let more = events.len() as i64 > limit;
    events.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((events, more))
}
