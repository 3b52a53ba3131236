//! Intents: what user-action made in another service (a party, a document)
//! and has not yet recorded as its own. An intent is written when the
//! thing is made and taken in the transaction that records it; one the
//! sweep finds past its grace period was left by a crash or a failed undo.

use crate::schema::intents;
use diesel::prelude::*;
use service_kit::db::{single_write, write_together, DbConnection};
use service_kit::Failure;

/// A party in party-service.
pub const PARTY: &str = "party";
/// A document in document-service.
pub const DOCUMENT: &str = "document";

/// One intent: what was made, and whose it is.
#[derive(Debug, Clone, Queryable)]
pub struct Intent {
    /// [`PARTY`] or [`DOCUMENT`].
    pub kind: String,
    /// The party's or document's id.
    pub id: String,
    /// The end user it was made for (a document's owner).
    pub owner_subject: String,
}

/// A new `intents` row: owned, as a statement diesel caches needs
/// `'static` types.
#[derive(Insertable)]
#[diesel(table_name = intents, treat_none_as_default_value = false)]
struct NewIntent {
    kind: String,
    id: String,
    owner_subject: String,
    created_at: String,
}

/// Intents to record: of what kind, which ids, for whom.
pub type Intended = (&'static str, Vec<String>, String);

/// Records that the ids of each of `batch` were made (or are about to be)
/// for their owner: together in one statement (the intents waiting, see
/// `service_kit::db::write_together`), or, should it fail, each alone.
/// Whether each was recorded, in order.
pub fn record_all(
    conn: &mut DbConnection,
    batch: Vec<Intended>,
) -> Result<Vec<Result<(), Failure>>, Failure> {
    write_together(
        conn,
        batch,
        insert,
        // Each row stands alone (one left behind is swept), so no
        // transaction.
        |conn, intended| {
            single_write(conn, |conn| insert(conn, std::slice::from_ref(&intended)))
                .map_err(Failure::from)
        },
        |_| Ok(()),
    )
}

/// Inserts the intents of `batch`, in statements of fixed row counts, which
/// the connection prepares once.
fn insert(conn: &mut DbConnection, batch: &[Intended]) -> QueryResult<()> {
    let now = service_kit::db::timestamp(chrono::Utc::now());
    let rows: Vec<_> = batch
        .iter()
        .flat_map(|(kind, ids, owner)| {
            ids.iter().map(|id| NewIntent {
                kind: (*kind).to_owned(),
                id: id.clone(),
                owner_subject: owner.clone(),
                created_at: now.clone(),
            })
        })
        .collect();
    service_kit::on_backend!(conn, |c| service_kit::insert_rows!(
        c,
        intents::table,
        rows,
        [100, 10, 1]
    ))
}

/// Takes the intents of `ids`, in the transaction that records them: fails
/// (and so rolls the transaction back) when the sweep has taken one, since
/// what it names is being removed.
pub fn take(conn: &mut DbConnection, kind: &str, ids: &[String]) -> QueryResult<()> {
    let taken = diesel::delete(
        intents::table
            .filter(intents::kind.eq(kind))
            .filter(intents::id.eq_any(ids))
            .filter(intents::swept_at.is_null()),
    )
    .execute(conn)?;
    if taken == ids.len() {
        Ok(())
    } else {
        Err(diesel::result::Error::RollbackTransaction)
    }
}

/// Forgets the intents of `ids`, whose things are removed.
pub fn forget(conn: &mut DbConnection, kind: &str, ids: &[String]) -> QueryResult<()> {
    single_write(conn, |conn| {
        diesel::delete(
            intents::table
                .filter(intents::kind.eq(kind))
                .filter(intents::id.eq_any(ids)),
        )
        .execute(conn)
        .map(drop)
    })
}

/// Up to `limit` intents made before `cutoff`, oldest first.
pub fn overdue(conn: &mut DbConnection, cutoff: &str, limit: i64) -> QueryResult<Vec<Intent>> {
    intents::table
        .filter(intents::created_at.lt(cutoff))
        .order(intents::created_at.asc())
        .limit(limit)
        .select((intents::kind, intents::id, intents::owner_subject))
        .load(conn)
}

/// Marks an overdue intent as the sweep's: from now on no request records
/// what it names. `false` when it is gone (recorded after all, or swept).
pub fn claim(conn: &mut DbConnection, intent: &Intent, cutoff: &str) -> QueryResult<bool> {
    let now = service_kit::db::timestamp(chrono::Utc::now());
    single_write(conn, |conn| {
        diesel::update(
            intents::table
                .find((&intent.kind, &intent.id))
                .filter(intents::created_at.lt(cutoff)),
        )
        .set(intents::swept_at.eq(now))
        .execute(conn)
        .map(|n| n == 1)
    })
}
