//! `Idempotency-Key` records. The first request with a key claims it; its
//! success is stored, and repeats (even concurrent ones) get that answer
//! instead of doing the work again.

use crate::schema::idempotency_keys;
use diesel::prelude::*;
use service_kit::db::{is_unique_violation, DbConnection};

/// What a claim found.
#[derive(Debug)]
pub enum Claim {
    /// The key is ours now: do the work.
    Fresh,
    /// A request with this key succeeded: its answer.
    Done(String),
    /// A request with this key is still running (or failed without
    /// releasing it).
    Running,
}

/// Claims `key` for `owner` and `operation`, or says who has it.
pub fn claim(
    conn: &mut DbConnection,
    owner: &str,
    operation: &str,
    key: &str,
    fingerprint: &str,
) -> QueryResult<(Claim, String)> {
    let now = service_kit::db::timestamp(chrono::Utc::now());
    let inserted = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::owner_subject.eq(owner),
            idempotency_keys::operation.eq(operation),
            idempotency_keys::idem_key.eq(key),
            idempotency_keys::fingerprint.eq(fingerprint),
            idempotency_keys::created_at.eq(&now),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok((Claim::Fresh, fingerprint.to_owned())),
        Err(e) if is_unique_violation(&e) => {
            let (stored_fingerprint, response): (String, Option<String>) = idempotency_keys::table
                .find((owner, operation, key))
                .select((idempotency_keys::fingerprint, idempotency_keys::response))
                .first(conn)?;
            Ok(match response {
                Some(response) => (Claim::Done(response), stored_fingerprint),
                None => (Claim::Running, stored_fingerprint),
            })
        }
        Err(e) => Err(e),
    }
}

/// Stores the answer of the request that claimed the key.
pub fn complete(
    conn: &mut DbConnection,
    owner: &str,
    operation: &str,
    key: &str,
    response: &str,
) -> QueryResult<()> {
    diesel::update(idempotency_keys::table.find((owner, operation, key)))
        .set(idempotency_keys::response.eq(response))
        .execute(conn)
        .map(drop)
}

/// Releases a key whose request failed, so that a retry can do the work.
pub fn release(
    conn: &mut DbConnection,
    owner: &str,
    operation: &str,
    key: &str,
) -> QueryResult<()> {
    diesel::delete(idempotency_keys::table.find((owner, operation, key)))
        .execute(conn)
        .map(drop)
}
