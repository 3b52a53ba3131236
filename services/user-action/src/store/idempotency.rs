//! `Idempotency-Key` records. The first request with a key claims it; its
//! success is stored, and repeats (even concurrent ones) get that answer
//! instead of doing the work again. A record lives for a time to live, and
//! a claim for a lease: an expired key is fresh again, and a claim older
//! than its lease (its process died) may be taken over by one retry.

use crate::schema::idempotency_keys;
use diesel::prelude::*;
use service_kit::db::{is_unique_violation, single_write, DbConnection};
use service_kit::Keyring;

const RESPONSE: &str = "idempotency_keys.response";

/// The row a stored answer is bound to.
fn row_of(owner: &str, operation: &str, key: &str) -> String {
    format!("{owner}:{operation}:{key}")
}

/// What a claim found.
#[derive(Debug)]
pub enum Claim {
    /// The key is ours now, claimed at this time: do the work.
    Fresh(String),
    /// A request with this key succeeded: its answer.
    Done(String),
    /// A request with this key is still running, within its lease.
    Running,
}

/// The times that make a record old, as stored timestamps.
#[derive(Debug, Clone)]
pub struct Ages {
    /// A record claimed before this has expired: its key is fresh again.
    pub expired_before: String,
    /// A claim taken before this, still unanswered, was abandoned.
    pub abandoned_before: String,
}

/// How long a key lives, and a claim holds.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    /// A key's time to live, from its claim.
    pub ttl: std::time::Duration,
    /// A claim's lease: longer than any request takes.
    pub lease: std::time::Duration,
}

impl Lifetimes {
    /// The ages these lifetimes make now.
    pub fn ages(&self) -> Ages {
        let (ttl, lease) = (self.ttl, self.lease);
        let now = chrono::Utc::now();
        let before = |age: std::time::Duration| {
            let age = chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX);
            service_kit::db::timestamp(
                now.checked_sub_signed(age)
                    .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC),
            )
        };
        Ages {
            expired_before: before(ttl),
            abandoned_before: before(lease),
        }
    }
}

/// Claims `key` for `owner` and `operation`, or says who has it. An expired
/// record, or an abandoned claim of the same request, is taken over: by
/// one request only, since the takeover changes the claim time it read.
/// A stored answer is opened.
pub fn claim(
    conn: &mut DbConnection,
    keyring: &Keyring,
    owner: &str,
    operation: &str,
    key: &str,
    fingerprint: &str,
    ages: &Ages,
) -> QueryResult<(Claim, String)> {
    // Each statement stands alone (a race is settled by the key and the
    // claim time), so no transaction: on SQLite they still take the file's
    // writers' turn.
    single_write(conn, |conn| {
        let now = service_kit::db::timestamp(chrono::Utc::now());
        let inserted = diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::owner_subject.eq(owner),
                idempotency_keys::operation.eq(operation),
                idempotency_keys::idem_key.eq(key),
                idempotency_keys::fingerprint.eq(fingerprint),
                idempotency_keys::created_at.eq(&now),
                idempotency_keys::sealed.eq(true),
            ))
            .execute(conn);
        match inserted {
            Ok(_) => return Ok((Claim::Fresh(now), fingerprint.to_owned())),
            Err(e) if is_unique_violation(&e) => {}
            Err(e) => return Err(e),
        }
        let found: Option<(String, Option<String>, String, bool)> = idempotency_keys::table
            .find((owner, operation, key))
            .select((
                idempotency_keys::fingerprint,
                idempotency_keys::response,
                idempotency_keys::created_at,
                idempotency_keys::sealed,
            ))
            .first(conn)
            .optional()?;
        // Released since the insert: the caller asks again.
        let Some((stored, response, claimed_at, sealed)) = found else {
            return Ok((Claim::Running, fingerprint.to_owned()));
        };
        let expired = claimed_at < ages.expired_before;
        let abandoned =
            response.is_none() && claimed_at < ages.abandoned_before && stored == fingerprint;
        if expired || abandoned {
            let taken = diesel::update(
                idempotency_keys::table
                    .find((owner, operation, key))
                    .filter(idempotency_keys::created_at.eq(&claimed_at)),
            )
            .set((
                idempotency_keys::fingerprint.eq(fingerprint),
                idempotency_keys::response.eq(None::<String>),
                idempotency_keys::created_at.eq(&now),
            ))
            .execute(conn)?;
            return Ok(match taken {
                1 => (Claim::Fresh(now), fingerprint.to_owned()),
                // Another request took it first: the caller asks again.
                _ => (Claim::Running, fingerprint.to_owned()),
            });
        }
        Ok(match response {
            Some(response) if sealed => (
                Claim::Done(open_answer(keyring, owner, operation, key, &response)?),
                stored,
            ),
            Some(response) => (Claim::Done(response), stored),
            None => (Claim::Running, stored),
        })
    })
}

/// A key's record, found by owner, operation and key.
type Record<'a> = diesel::dsl::Find<idempotency_keys::table, (&'a str, &'a str, &'a str)>;

/// The record of the claim taken at `claimed_at`, if it is still that one
/// (a claim taken over is no longer its first holder's to settle).
fn held<'a>(
    owner: &'a str,
    operation: &'a str,
    key: &'a str,
    claimed_at: &'a str,
) -> diesel::dsl::Filter<Record<'a>, diesel::dsl::Eq<idempotency_keys::created_at, &'a str>> {
    idempotency_keys::table
        .find((owner, operation, key))
        .filter(idempotency_keys::created_at.eq(claimed_at))
}

/// Stores the answer of the request that claimed the key at `claimed_at`,
/// sealed.
pub fn complete(
    conn: &mut DbConnection,
    keyring: &Keyring,
    owner: &str,
    operation: &str,
    key: &str,
    claimed_at: &str,
    response: &str,
) -> QueryResult<()> {
    let response = seal_answer(keyring, owner, operation, key, response);
    single_write(conn, |conn| {
        diesel::update(held(owner, operation, key, claimed_at))
            .set((
                idempotency_keys::response.eq(response),
                idempotency_keys::sealed.eq(true),
            ))
            .execute(conn)
            .map(drop)
    })
}

/// Releases a key whose request failed, so that a retry can do the work.
pub fn release(
    conn: &mut DbConnection,
    owner: &str,
    operation: &str,
    key: &str,
    claimed_at: &str,
) -> QueryResult<()> {
    single_write(conn, |conn| {
        diesel::delete(held(owner, operation, key, claimed_at))
            .execute(conn)
            .map(drop)
    })
}

/// Deletes expired records and abandoned claims; returns how many.
pub fn purge(conn: &mut DbConnection, ages: &Ages) -> QueryResult<usize> {
    let gone = idempotency_keys::created_at
        .lt(&ages.expired_before)
        .or(idempotency_keys::response
            .is_null()
            .and(idempotency_keys::created_at.lt(&ages.abandoned_before)));
    single_write(conn, |conn| {
        diesel::delete(idempotency_keys::table.filter(gone)).execute(conn)
    })
}

/// The answer stored for `key` of `owner` and `operation`, sealed.
pub(crate) fn seal_answer(
    keyring: &Keyring,
    owner: &str,
    operation: &str,
    key: &str,
    answer: &str,
) -> String {
    keyring.seal_field(RESPONSE, &row_of(owner, operation, key), answer)
}

/// What [`seal_answer`] made, opened.
pub(crate) fn open_answer(
    keyring: &Keyring,
    owner: &str,
    operation: &str,
    key: &str,
    sealed: &str,
) -> QueryResult<String> {
    Ok(keyring.open_field(RESPONSE, &row_of(owner, operation, key), sealed)?)
}
