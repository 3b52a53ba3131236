//! The queries: fan-out, claims, outcomes, and the delivery log. Each is
//! one unit of work on a `&mut DbConnection`, the same on both backends
//! except the claim's row locks (PostgreSQL skips rows another dispatcher
//! is claiming; SQLite has one writer at a time).

use crate::schema::{outbox, outbox_deliveries as d};
use crate::{Destination, OutboxEvent};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use service_kit::db::write_transaction;
use service_kit::{on_backend, DbConnection};
use std::sync::Arc;

/// A delivery's status, as stored and shown.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Not delivered yet: due at `nextAttemptAt`, or being delivered.
    Pending,
    /// The destination has it.
    Delivered,
    /// Given up: refused for good, or not delivered within the retry
    /// window; the operator may send it again.
    Failed,
}

impl DeliveryStatus {
    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "delivered" => Self::Delivered,
            "failed" => Self::Failed,
            _ => Self::Pending,
        }
    }
}

const PENDING: &str = "pending";

/// The most deliveries one fan-out statement inserts: 10 parameters each,
/// well under SQLite's 32,766 and PostgreSQL's 65,535.
const FAN_OUT_ROWS: usize = 1000;

/// Marks up to `batch` events not fanned out yet as fanned out, with a
/// pending delivery for each destination that wants its kind; returns how
/// many events. An event is fanned out to the destinations of the moment:
/// one added later receives the events written after.
pub(crate) fn fan_out(
    conn: &mut DbConnection,
    destinations: &[Arc<dyn Destination>],
    now: &str,
    batch: i64,
) -> QueryResult<usize> {
    #[derive(Queryable)]
    struct New {
        seq: i64,
        id: String,
        aggregate_id: String,
        kind: String,
    }
    let columns = (outbox::seq, outbox::id, outbox::aggregate_id, outbox::kind);
    let unfanned = outbox::table
        .filter(outbox::delivered_at.is_null())
        .order(outbox::seq)
        .limit(batch)
        .select(columns);
    // Most rounds find nothing: a plain read says so without a write
    // transaction (SQLite's write lock, a COMMIT on PostgreSQL).
    // In the order of the partial index `outbox_undelivered`, which holds
    // only those rows: PostgreSQL otherwise scanned the table for one when
    // its statistics still said most rows were waiting (every event of a
    // backlog fanned out since).
    let waiting = outbox::table
        .filter(outbox::delivered_at.is_null())
        .order(outbox::seq)
        .select(outbox::seq);
    if on_backend!(conn, |c| waiting.first::<i64>(c).optional())?.is_none() {
        return Ok(0);
    }
    write_transaction(conn, |conn| {
        let events: Vec<New> = match conn {
            // Another dispatcher fanning out at once skips these.
            DbConnection::Postgres(c) => unfanned.for_update().skip_locked().load(c)?,
            DbConnection::Sqlite(c) => unfanned.load(c)?,
        };
        // Multi-row inserts: one statement per FAN_OUT_ROWS deliveries, not
        // a round trip each (a backlog of 50,000 events took a second per
        // 500 on PostgreSQL, bench/flow.py).
        let mut rows = Vec::with_capacity(FAN_OUT_ROWS);
        let wanted = events.iter().flat_map(|event| {
            destinations
                .iter()
                .filter(|x| x.wants(&event.kind))
                .map(move |destination| (event, destination))
        });
        for (event, destination) in wanted {
            rows.push((
                d::event_seq.eq(event.seq),
                d::event_id.eq(&event.id),
                d::destination.eq(destination.name()),
                d::aggregate_id.eq(&event.aggregate_id),
                d::kind.eq(&event.kind),
                d::status.eq(PENDING),
                d::attempts.eq(0),
                d::next_attempt_at.eq(now),
                d::retry_from.eq(now),
                d::created_at.eq(now),
            ));
            if rows.len() == FAN_OUT_ROWS {
                let full = std::mem::replace(&mut rows, Vec::with_capacity(FAN_OUT_ROWS));
                on_backend!(conn, |c| diesel::insert_into(d::table)
                    .values(full)
                    .on_conflict_do_nothing()
                    .execute(c))?;
            }
        }
        if !rows.is_empty() {
            on_backend!(conn, |c| diesel::insert_into(d::table)
                .values(rows)
                .on_conflict_do_nothing()
                .execute(c))?;
        }
        let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
        if !seqs.is_empty() {
            on_backend!(conn, |c| diesel::update(
                outbox::table.filter(outbox::seq.eq_any(&seqs))
            )
            .set(outbox::delivered_at.eq(now))
            .execute(c))?;
        }
        Ok(events.len())
    })
}

/// A delivery claimed for a while by one dispatcher.
#[derive(Debug, Clone)]
pub(crate) struct Claimed {
    pub(crate) destination: String,
    pub(crate) event: OutboxEvent,
    /// Where the retry window started.
    pub(crate) retry_from: String,
}

#[derive(QueryableByName)]
struct Key {
    #[diesel(sql_type = BigInt)]
    event_seq: i64,
    #[diesel(sql_type = Text)]
    destination: String,
}

/// The eligible deliveries: pending, due, not leased (or the lease ran
/// out), to one of the destinations named, and the lowest pending event of
/// their (destination, aggregate); due first, then oldest.
///
/// That order is the index `outbox_deliveries_ready`'s (partial: pending
/// rows only), so a claim walks it and stops at its `LIMIT`, whatever the
/// backlog; rows backing off are further on, not stepped over.
///
/// "The lowest pending event" is a scalar subquery, not `NOT EXISTS` (an
/// earlier pending one): PostgreSQL may turn `NOT EXISTS` into an anti
/// join, and with statistics from when the table was nearly empty (a
/// backlog arriving at once) it joined every pending row with every other
/// one: 33 s for one claim among 15,000 pending rows. A scalar subquery is
/// always one index probe per row (`outbox_deliveries_order`).
const ELIGIBLE: &str = "SELECT d.event_seq, d.destination FROM outbox_deliveries d HINT \
     WHERE d.status = 'pending' AND d.next_attempt_at <= ? \
     AND (d.lease_until IS NULL OR d.lease_until < ?) \
     AND d.destination IN (NAMES) \
     AND d.event_seq = (SELECT MIN(e.event_seq) FROM outbox_deliveries e \
         WHERE e.status = 'pending' AND e.destination = d.destination \
         AND e.aggregate_id = d.aggregate_id) \
     ORDER BY d.next_attempt_at, d.event_seq LIMIT ?";

/// [`ELIGIBLE`] for `names` destinations, with PostgreSQL's numbered
/// parameters there, and its row locks where `lock`.
///
/// SQLite is told the index: with no statistics (it has none unless
/// `ANALYZE` ran) it chose `outbox_deliveries_order` and sorted every
/// pending row, 41 ms per claim at 30,000 of them. PostgreSQL plans by
/// the statistics [`analyze`] keeps fresh.
fn eligible_sql(names: usize, postgres: bool, lock: bool) -> String {
    let marks = vec!["?"; names].join(", ");
    let sql = ELIGIBLE.replace("NAMES", &marks);
    if !postgres {
        return sql.replace("HINT", "INDEXED BY outbox_deliveries_ready");
    }
    let sql = sql.replace("HINT", "");
    let mut numbered = String::with_capacity(sql.len() + 16);
    for (n, part) in sql.split('?').enumerate() {
        if n > 0 {
            numbered.push_str(&format!("${n}"));
        }
        numbered.push_str(part);
    }
    if lock {
        // Rows another dispatcher is claiming are skipped, not waited for.
        numbered.push_str(" FOR UPDATE OF d SKIP LOCKED");
    }
    numbered
}

/// Up to `limit` eligible deliveries ([`ELIGIBLE`]), locked for the
/// caller's transaction where `lock` (PostgreSQL).
fn eligible(
    conn: &mut DbConnection,
    names: &[String],
    now: &str,
    limit: i64,
    lock: bool,
) -> QueryResult<Vec<Key>> {
    let postgres = matches!(conn, DbConnection::Postgres(_));
    let sql = eligible_sql(names.len(), postgres, lock);
    on_backend!(conn, |c| {
        let mut query = diesel::sql_query(&sql)
            .into_boxed()
            .bind::<Text, _>(now.to_owned())
            .bind::<Text, _>(now.to_owned());
        for name in names {
            query = query.bind::<Text, _>(name.clone());
        }
        query.bind::<BigInt, _>(limit).load(c)
    })
}

/// Claims up to `limit` eligible deliveries to the destinations `names`
/// for `owner` (a token unique to this claim) until `until`, and returns
/// them with their events.
pub(crate) fn claim(
    conn: &mut DbConnection,
    names: &[String],
    owner: &str,
    now: &str,
    until: &str,
    limit: i64,
) -> QueryResult<Vec<Claimed>> {
    if names.is_empty() || limit < 1 {
        return Ok(Vec::new());
    }
    // As in `fan_out`: nothing eligible is found without a write
    // transaction.
    if eligible(conn, names, now, 1, false)?.is_empty() {
        return Ok(Vec::new());
    }
    write_transaction(conn, |conn| {
        let keys = eligible(conn, names, now, limit, true)?;
        for destination in names {
            let seqs: Vec<i64> = keys
                .iter()
                .filter(|k| &k.destination == destination)
                .map(|k| k.event_seq)
                .collect();
            if seqs.is_empty() {
                continue;
            }
            // Checked again as the rows are written: on PostgreSQL a claim
            // that committed since this transaction's read leaves its row
            // out.
            let claimable = d::table
                .filter(d::destination.eq(destination))
                .filter(d::event_seq.eq_any(seqs))
                .filter(d::status.eq(PENDING))
                .filter(d::lease_until.is_null().or(d::lease_until.lt(now)));
            on_backend!(conn, |c| diesel::update(claimable)
                .set((d::lease_owner.eq(owner), d::lease_until.eq(until)))
                .execute(c))?;
        }
        type Row = (
            String,
            i32,
            String,
            i64,
            String,
            String,
            String,
            String,
            Option<String>,
            String,
        );
        // Found by their keys: `lease_owner` has no index, and the table
        // keeps every delivery ever made (by the owner alone, each claim
        // read them all: a third of the dispatcher's time at 50,000 rows).
        let seqs: Vec<i64> = keys.iter().map(|k| k.event_seq).collect();
        let rows: Vec<Row> = on_backend!(conn, |c| d::table
            .inner_join(outbox::table)
            .filter(d::event_seq.eq_any(&seqs))
            .filter(d::lease_owner.eq(owner))
            .filter(d::status.eq(PENDING))
            .order(d::event_seq)
            .select((
                d::destination,
                d::attempts,
                d::retry_from,
                outbox::seq,
                outbox::id,
                outbox::aggregate_id,
                outbox::kind,
                outbox::payload,
                outbox::request_id,
                outbox::created_at,
            ))
            .load(c))?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    destination,
                    attempts,
                    retry_from,
                    seq,
                    id,
                    aggregate_id,
                    kind,
                    payload,
                    request_id,
                    created_at,
                )| {
                    Claimed {
                        destination,
                        retry_from,
                        event: OutboxEvent {
                            seq,
                            id,
                            aggregate_id,
                            kind,
                            // A payload is the service's own JSON; one that
                            // is not is delivered as its text.
                            payload: serde_json::from_str(&payload)
                                .unwrap_or(serde_json::Value::String(payload)),
                            request_id,
                            created_at,
                            attempt: attempts + 1,
                        },
                    }
                },
            )
            .collect())
    })
}

/// What became of one attempt.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    /// Delivered.
    Delivered,
    /// Failed; try again at this time.
    Retry(String),
    /// Failed for good.
    Failed,
}

/// One attempt's result, to be recorded.
#[derive(Debug, Clone)]
pub(crate) struct Attempted {
    pub(crate) event_seq: i64,
    pub(crate) destination: String,
    /// The claim's token: a failure is recorded only while the claim is
    /// this dispatcher's (a success always).
    pub(crate) owner: String,
    pub(crate) at: String,
    pub(crate) outcome: Outcome,
    pub(crate) status: Option<u16>,
    pub(crate) error: Option<String>,
}

/// Records `attempts` in one transaction.
pub(crate) fn record(conn: &mut DbConnection, attempts: &[Attempted]) -> QueryResult<()> {
    write_transaction(conn, |conn| {
        for a in attempts {
            let row = d::table
                .find((a.event_seq, &a.destination))
                .filter(d::status.eq(PENDING));
            let last = (
                d::attempts.eq(d::attempts + 1),
                d::last_attempt_at.eq(&a.at),
                d::last_status.eq(a.status.map(i32::from)),
                d::last_error.eq(&a.error),
                d::lease_owner.eq(None::<String>),
                d::lease_until.eq(None::<String>),
            );
            match &a.outcome {
                Outcome::Delivered => on_backend!(conn, |c| diesel::update(row)
                    .set((
                        last,
                        d::status.eq(DeliveryStatus::Delivered.as_str()),
                        d::delivered_at.eq(&a.at),
                    ))
                    .execute(c))?,
                Outcome::Retry(next) => on_backend!(conn, |c| diesel::update(
                    row.filter(d::lease_owner.eq(&a.owner))
                )
                .set((last, d::next_attempt_at.eq(next)))
                .execute(c))?,
                Outcome::Failed => on_backend!(conn, |c| diesel::update(
                    row.filter(d::lease_owner.eq(&a.owner))
                )
                .set((last, d::status.eq(DeliveryStatus::Failed.as_str())))
                .execute(c))?,
            };
        }
        Ok(())
    })
}

/// Refreshes PostgreSQL's statistics of `outbox_deliveries` (nothing on
/// SQLite): after a backlog arrives at once the planner would otherwise
/// plan the claim for the nearly empty table autovacuum last saw, scanning
/// every pending row per claim, until autovacuum's next pass (a minute or
/// more; never, for a burst under 10% of a large table).
pub(crate) fn analyze(conn: &mut DbConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConnection::Postgres(c) => c.batch_execute("ANALYZE outbox_deliveries"),
        DbConnection::Sqlite(_) => Ok(()),
    }
}

/// How many deliveries are pending.
pub(crate) fn pending(conn: &mut DbConnection) -> QueryResult<i64> {
    on_backend!(conn, |c| d::table
        .filter(d::status.eq(PENDING))
        .count()
        .get_result(c))
}

/// One delivery, as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// The event's id.
    pub event_id: String,
    /// The destination's name.
    pub destination: String,
    /// The event's kind.
    pub kind: String,
    /// What the event is about (an application's id).
    pub aggregate_id: String,
    /// Where the delivery stands.
    pub status: DeliveryStatus,
    /// How many attempts were made.
    pub attempts: i32,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<String>,
    /// Until when a dispatcher holds it, while one is delivering it.
    pub leased_until: Option<String>,
    /// When the last attempt was made.
    pub last_attempt_at: Option<String>,
    /// The HTTP status of the last attempt, if the receiver answered.
    pub last_status: Option<i32>,
    /// What the last failure was (a short class: `timeout`, `http-503`).
    pub last_error: Option<String>,
    /// When it was delivered.
    pub delivered_at: Option<String>,
    /// When the event was fanned out to its destinations.
    pub created_at: String,
    /// The request that wrote the event, to find its logs.
    pub request_id: Option<String>,
}

/// The columns of a [`DeliveryRow`], from the deliveries joined with
/// their events.
macro_rules! delivery_columns {
    () => {
        (
            d::event_id,
            d::destination,
            d::kind,
            d::aggregate_id,
            d::status,
            d::attempts,
            d::next_attempt_at,
            d::lease_until,
            d::last_attempt_at,
            d::last_status,
            d::last_error,
            d::delivered_at,
            d::created_at,
            outbox::request_id,
            d::event_seq,
        )
    };
}

type DeliveryRow = (
    String,
    String,
    String,
    String,
    String,
    i32,
    String,
    Option<String>,
    Option<String>,
    Option<i32>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    i64,
);

/// A page of the log, newest event first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryPage {
    /// The deliveries.
    pub items: Vec<Delivery>,
    /// Where the next page starts (pass it as `cursor`); absent on the last.
    pub next_cursor: Option<String>,
}

/// What the log is filtered by, and where a page starts.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only deliveries in this status.
    pub status: Option<DeliveryStatus>,
    /// Only to this destination.
    pub destination: Option<String>,
    /// Only of events of this kind.
    pub kind: Option<String>,
    /// Only of events about this aggregate.
    pub aggregate: Option<String>,
    /// After this place (a previous page's last: event seq, destination).
    pub after: Option<(i64, String)>,
}

/// A page of at most `limit` deliveries matching `filter`, newest event
/// first (by destination within an event).
pub fn list(conn: &mut DbConnection, filter: &ListFilter, limit: i64) -> QueryResult<DeliveryPage> {
    let rows: Vec<DeliveryRow> = on_backend!(conn, |c| {
        let mut query = d::table
            .inner_join(outbox::table)
            .select(delivery_columns!())
            .order((d::event_seq.desc(), d::destination.asc()))
            .limit(limit + 1)
            .into_boxed();
        if let Some(status) = filter.status {
            query = query.filter(d::status.eq(status.as_str()));
        }
        if let Some(destination) = &filter.destination {
            query = query.filter(d::destination.eq(destination.clone()));
        }
        if let Some(kind) = &filter.kind {
            query = query.filter(d::kind.eq(kind.clone()));
        }
        if let Some(aggregate) = &filter.aggregate {
            query = query.filter(d::aggregate_id.eq(aggregate.clone()));
        }
        if let Some((seq, destination)) = &filter.after {
            query = query.filter(
                d::event_seq.lt(*seq).or(d::event_seq
                    .eq(*seq)
                    .and(d::destination.gt(destination.clone()))),
            );
        }
        query.load(c)
    })?;
    let more = rows.len() as i64 > limit;
    let rows = &rows[..rows.len().min(limit as usize)];
    let next_cursor = more
        .then(|| rows.last().map(|r| cursor(r.14, &r.1)))
        .flatten();
    Ok(DeliveryPage {
        items: rows.iter().cloned().map(delivery).collect(),
        next_cursor,
    })
}

/// A page's place, as the API passes it: `SEQ.DESTINATION`.
pub(crate) fn cursor(seq: i64, destination: &str) -> String {
    format!("{seq}.{destination}")
}

fn delivery(row: DeliveryRow) -> Delivery {
    let status = DeliveryStatus::parse(&row.4);
    let pending = status == DeliveryStatus::Pending;
    Delivery {
        event_id: row.0,
        destination: row.1,
        kind: row.2,
        aggregate_id: row.3,
        status,
        attempts: row.5,
        next_attempt_at: pending.then_some(row.6),
        leased_until: row.7.filter(|_| pending),
        last_attempt_at: row.8,
        last_status: row.9,
        last_error: row.10,
        delivered_at: row.11,
        created_at: row.12,
        request_id: row.13,
    }
}

/// What became of an operator's retry.
#[derive(Debug)]
pub enum Retried {
    /// The failed delivery is pending again: as it is now.
    Pending(Box<Delivery>),
    /// It is not failed (pending or delivered): nothing changed.
    NotFailed(DeliveryStatus),
    /// There is no such delivery.
    Missing,
}

/// Sends a failed delivery again: pending now, its retry window starting
/// over; its attempts and last error stay for the log.
pub fn retry(
    conn: &mut DbConnection,
    event_id: &str,
    destination: &str,
    now: &str,
) -> QueryResult<Retried> {
    write_transaction(conn, |conn| {
        let status: Option<String> = on_backend!(conn, |c| d::table
            .filter(d::event_id.eq(event_id))
            .filter(d::destination.eq(destination))
            .select(d::status)
            .first(c)
            .optional())?;
        let Some(status) = status.map(|s| DeliveryStatus::parse(&s)) else {
            return Ok(Retried::Missing);
        };
        if status != DeliveryStatus::Failed {
            return Ok(Retried::NotFailed(status));
        }
        let row = d::table
            .filter(d::event_id.eq(event_id))
            .filter(d::destination.eq(destination));
        on_backend!(conn, |c| diesel::update(row)
            .set((
                d::status.eq(PENDING),
                d::next_attempt_at.eq(now),
                d::retry_from.eq(now),
                d::lease_owner.eq(None::<String>),
                d::lease_until.eq(None::<String>),
            ))
            .execute(c))?;
        let delivery = one(conn, event_id, destination)?;
        Ok(delivery.map_or(Retried::Missing, |d| Retried::Pending(Box::new(d))))
    })
}

/// The delivery of event `event_id` to `destination`.
fn one(
    conn: &mut DbConnection,
    event_id: &str,
    destination: &str,
) -> QueryResult<Option<Delivery>> {
    let row: Option<DeliveryRow> = on_backend!(conn, |c| d::table
        .inner_join(outbox::table)
        .filter(d::event_id.eq(event_id))
        .filter(d::destination.eq(destination))
        .select(delivery_columns!())
        .first(c)
        .optional())?;
    Ok(row.map(delivery))
}
