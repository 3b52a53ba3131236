//! Sealing the metadata's personal values again: rows written before
//! sealing (at start), or every row (`onboarding rekey`, after a key
//! rotation). The table is read a batch at a time in id order and each
//! batch rewritten in one transaction; a row is rewritten only if it still
//! holds what was read, so a pass running beside this one is not undone.

use crate::rows::documents::DocumentRow;
use crate::schema::documents;
use diesel::prelude::*;
use service_kit::db::{rewrite_in_batches, Batch, DbConnection};
use service_kit::Keyring;

/// How many rows one pass reads at a time.
const BATCH: i64 = 500;

/// Seals again every row written before sealing, or every row with
/// `everything` (whatever its state: a tombstone or a row being deleted is
/// under the old key too). Returns how many rows were rewritten.
pub fn reseal(conn: &mut DbConnection, keyring: &Keyring, everything: bool) -> QueryResult<usize> {
    let mut after: Option<String> = None;
    let read = |conn: &mut DbConnection| {
        let mut query = documents::table
            .select(DocumentRow::as_select())
            .order(documents::id)
            .limit(BATCH)
            .into_boxed();
        if !everything {
            query = query.filter(documents::sealed.eq(false));
        }
        if let Some(id) = &after {
            query = query.filter(documents::id.gt(id.clone()));
        }
        let batch: Vec<DocumentRow> = query.load(conn)?;
        let Some(last) = batch.last() else {
            return Ok(Batch::Done);
        };
        after = Some(last.id.clone());
        batch
            .into_iter()
            .map(|was| Ok((was.clone(), was.opened(keyring)?.sealed(keyring))))
            .collect::<QueryResult<_>>()
            .map(Batch::Rows)
    };
    rewrite_in_batches(
        conn,
        read,
        |conn, (was, now): &(DocumentRow, DocumentRow)| {
            // Only the state of a row ever changes, and the state is left
            // alone here: a file name unchanged means no other pass sealed
            // the row meanwhile.
            diesel::update(
                documents::table
                    .find(&was.id)
                    .filter(documents::sealed.eq(was.sealed))
                    .filter(documents::file_name.eq(&was.file_name)),
            )
            .set((
                documents::file_name.eq(&now.file_name),
                documents::file_info.eq(&now.file_info),
                documents::file_client_id.eq(&now.file_client_id),
                documents::sealed.eq(true),
            ))
            .execute(conn)
        },
    )
}
