//! The customers' name indexes (`searchCases` by name), computed again
//! from their sealed names: at start for customers stored before the
//! indexes existed (the migration gave them the placeholder [`LEGACY`]),
//! and for `onboarding rekey`, every customer, since a new
//! `BLIND_INDEX_KEY` changes every index.

use crate::rows::customer::{CustomerRow, NameRow};
use crate::schema::{case_customer_names, case_customers};
use diesel::dsl::exists;
use diesel::prelude::*;
use service_kit::db::{rewrite_in_batches, Batch};
use service_kit::{DbConnection, Failure, Keyring};
use std::collections::HashMap;

/// The migration's placeholder: never a blind index (those are 64 hex
/// characters).
const LEGACY: &str = "legacy";

/// How many customers one pass reads and rewrites in one transaction.
const BATCH: i64 = 500;

/// The name rows of one customer as read, and as they should be.
struct Stale {
    key: (String, String),
    was: Vec<NameRow>,
    now: Vec<NameRow>,
}

/// Computes again the name indexes of the customers holding [`LEGACY`],
/// or with `everything` of every customer, a batch at a time in key
/// order; a customer's rows are rewritten only where they change, and
/// only if they still are what was read. Returns how many customers were
/// rewritten.
pub fn reindex(
    conn: &mut DbConnection,
    keyring: &Keyring,
    everything: bool,
) -> Result<usize, Failure> {
    let mut after: Option<(String, String)> = None;
    rewrite_in_batches(
        conn,
        |conn: &mut DbConnection| {
            let mut query = case_customers::table
                .select(CustomerRow::as_select())
                .order((
                    case_customers::case_id.asc(),
                    case_customers::customer_id.asc(),
                ))
                .limit(BATCH)
                .into_boxed();
            if !everything {
                query = query.filter(exists(
                    case_customer_names::table
                        .filter(case_customer_names::case_id.eq(case_customers::case_id))
                        .filter(case_customer_names::customer_id.eq(case_customers::customer_id))
                        .filter(case_customer_names::name_index.eq(LEGACY)),
                ));
            }
            if let Some((case_id, customer_id)) = after.clone() {
                query = query.filter(
                    case_customers::case_id
                        .gt(case_id.clone())
                        .or(case_customers::case_id
                            .eq(case_id)
                            .and(case_customers::customer_id.gt(customer_id))),
                );
            }
            let batch: Vec<CustomerRow> = query.load(conn)?;
            let Some(last) = batch.last() else {
                return Ok(Batch::Done);
            };
            after = Some((last.case_id.clone(), last.customer_id.clone()));
            let first = batch.first().map(|r| r.case_id.clone()).unwrap_or_default();
            let mut stored = names_between(conn, &first, &last.case_id.clone())?;
            let mut stale = Vec::new();
            for row in batch {
                let key = (row.case_id.clone(), row.customer_id.clone());
                let was = stored.remove(&key).unwrap_or_default();
                let now = row.current_name_rows(keyring)?;
                if now != was {
                    stale.push(Stale { key, was, now });
                }
            }
            Ok::<_, Failure>(Batch::Rows(stale))
        },
        |conn, stale: &Stale| {
            let (case_id, customer_id) = &stale.key;
            // Rewritten meanwhile (the customer erased or removed): its
            // writer stored its own indexes.
            if names_of(conn, case_id, customer_id)? != stale.was {
                return Ok(0);
            }
            diesel::delete(
                case_customer_names::table
                    .filter(case_customer_names::case_id.eq(case_id))
                    .filter(case_customer_names::customer_id.eq(customer_id)),
            )
            .execute(conn)?;
            for row in &stale.now {
                diesel::insert_into(case_customer_names::table)
                    .values(row)
                    .execute(conn)?;
            }
            Ok(1)
        },
    )
}

/// The name rows of the customers of the cases from `first` to `last`,
/// by customer, each in index order: one query for a batch.
fn names_between(
    conn: &mut DbConnection,
    first: &str,
    last: &str,
) -> QueryResult<HashMap<(String, String), Vec<NameRow>>> {
    let rows: Vec<NameRow> = case_customer_names::table
        .filter(case_customer_names::case_id.ge(first))
        .filter(case_customer_names::case_id.le(last))
        .order((
            case_customer_names::case_id.asc(),
            case_customer_names::customer_id.asc(),
            case_customer_names::name_index.asc(),
        ))
        .select(NameRow::as_select())
        .load(conn)?;
    let mut names: HashMap<(String, String), Vec<NameRow>> = HashMap::new();
    for row in rows {
        let key = (row.case_id.clone(), row.customer_id.clone());
        names.entry(key).or_default().push(row);
    }
    Ok(names)
}

/// The name rows of `customer_id` on `case_id`, in index order.
fn names_of(
    conn: &mut DbConnection,
    case_id: &str,
    customer_id: &str,
) -> QueryResult<Vec<NameRow>> {
    case_customer_names::table
        .filter(case_customer_names::case_id.eq(case_id))
        .filter(case_customer_names::customer_id.eq(customer_id))
        .order(case_customer_names::name_index.asc())
        .select(NameRow::as_select())
        .load(conn)
}
