//! A case's customers: added a group at a time in the caller's transaction,
//! or added and removed one transaction per customer (all or nothing; a
//! savepoint when the caller commits several together), looked up in
//! batches, read back a page at a time.

use super::audit::{self, Action, Change};
use super::locks::{self, Locked};
use super::{Page, IN_LIST_CHUNK};
use crate::rows::audit::NewAudit;
use crate::rows::customer::{self as customer_rows, CustomerRow, DetailsRow, NameRow};
use crate::rows::lists::{self, ListRows};
use crate::rows::stored::Corrupt;
use crate::schema::{
    case_audit, case_customer_accounts as accounts, case_customer_addresses as addresses,
    case_customer_anticipatory_profiles as profiles, case_customer_details as details,
    case_customer_emails as emails, case_customer_names,
    case_customer_online_accounts as online_accounts, case_customer_phones as phones,
    case_customers,
};
use crate::wire::customer::Customer;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};
use service_kit::db::is_unique_violation;
use service_kit::db::write_transaction;
use service_kit::DbConnection;
use service_kit::Failure;
use service_kit::Keyring;
use service_kit::{insert_rows, on_backend};
use std::collections::HashSet;

/// What became of an add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddOutcome {
    /// The customer is on the case now.
    Added,
    /// The customer was already on the case; nothing was written.
    AlreadyExists,
    /// The case does not exist; nothing was written.
    NoSuchCase,
    /// Another user holds the case's lock; nothing was written.
    Locked(Locked),
}

/// The `(case, customer)` pairs among `pairs` that are already stored: one
/// query per case (per few hundred customers).
pub fn existing(
    conn: &mut DbConnection,
    pairs: &[(&str, &str)],
) -> QueryResult<HashSet<(String, String)>> {
    let mut cases: Vec<&str> = pairs.iter().map(|(case, _)| *case).collect();
    cases.sort_unstable();
    cases.dedup();
    let mut found = HashSet::new();
    for case in cases {
        let customers: Vec<&str> = pairs
            .iter()
            .filter(|(c, _)| *c == case)
            .map(|(_, customer)| *customer)
            .collect();
        for chunk in customers.chunks(IN_LIST_CHUNK) {
            let ids: Vec<String> = case_customers::table
                .filter(case_customers::case_id.eq(case))
                .filter(case_customers::customer_id.eq_any(chunk))
                .select(case_customers::customer_id)
                .load(conn)?;
            found.extend(ids.into_iter().map(|id| (case.to_owned(), id)));
        }
    }
    Ok(found)
}

/// The most rows one insert statement carries: as many as a group of
/// customers (`routes::plan::GROUP`), so that a full group with one entry in
/// each list is one statement a table. With at most 32 columns a table, a
/// statement binds at most 3,200 parameters, far under SQLite's 32,766 and
/// PostgreSQL's 65,535.
const ROWS_PER_INSERT: usize = 100;

/// Every row that stores some customers of one case, with their audit
/// records, sealed: made before the write that stores them
/// ([`add_all`]), so that no transaction waits on the sealing.
pub struct Rows {
    customers: Vec<CustomerRow>,
    names: Vec<NameRow>,
    details: Vec<DetailsRow>,
    lists: ListRows,
    pub(super) audit: Vec<NewAudit>,
}

impl Rows {
    /// The rows of `customers` added to `case_id` by `change`.
    pub fn of(keyring: &Keyring, case_id: &str, customers: &[&Customer], change: &Change) -> Self {
        let (rows, details) = customers
            .iter()
            .map(|c| customer_rows::rows_of(keyring, case_id, c, &change.at, &change.actor))
            .unzip();
        let names = customers
            .iter()
            .flat_map(|c| customer_rows::name_rows_of(keyring, case_id, c))
            .collect();
        let audit = customers
            .iter()
            .map(|c| {
                let mut record = change.record(case_id, Action::CustomerAdded);
                record.customer_id = Some(c.customer_id.as_str().to_owned());
                record.sealed(keyring, None, Some(&to_json(c)))
            })
            .collect();
        Self {
            customers: rows,
            names,
            details,
            lists: lists::list_rows(keyring, case_id, customers.iter().copied()),
            audit,
        }
    }

    /// Inserts the rows, a statement per table of fixed row counts
    /// (`insert_rows!`), which the connection prepares once. The
    /// customers' rows go first, so the first statement is a write.
    pub(super) fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        // Every table in statements of the same row counts; the small ones
        // make one customer's rows (two or three names, a few audit
        // records) one statement a table.
        macro_rules! insert {
            ($c:expr, $table:expr, $rows:expr) => {
                insert_rows!($c, $table, $rows, [ROWS_PER_INSERT, 10, 4, 3, 2, 1])
            };
        }
        on_backend!(conn, |c| {
            insert!(c, case_customers::table, self.customers)?;
            insert!(c, case_customer_names::table, self.names)?;
            insert!(c, details::table, self.details)?;
            let lists = &self.lists;
            insert!(c, addresses::table, lists.addresses)?;
            insert!(c, phones::table, lists.phones)?;
            insert!(c, emails::table, lists.emails)?;
            insert!(c, accounts::table, lists.accounts)?;
            insert!(c, online_accounts::table, lists.online_accounts)?;
            insert!(c, profiles::table, lists.profiles)?;
            insert!(c, case_audit::table, self.audit)
        })
    }
}

/// Adds `customer` to `case_id` with every row it needs and its audit
/// record, in one transaction (a savepoint in the caller's). The primary
/// key `(case_id, customer_id)` makes concurrent adds of the same customer
/// leave exactly one. Refused while another user holds the case's lock.
pub fn add(
    conn: &mut DbConnection,
    keyring: &Keyring,
    case_id: &str,
    customer: &Customer,
    change: &Change,
) -> QueryResult<AddOutcome> {
    let rows = Rows::of(keyring, case_id, &[customer], change);
    let written = write_transaction(conn, |conn| {
        if let Err(locked) = locks::ensure_writable(conn, case_id, change)? {
            return Ok(Err(locked));
        }
        rows.insert(conn).map(Ok)
    });
    match written {
        Ok(Ok(())) => Ok(AddOutcome::Added),
        Ok(Err(locked)) => Ok(AddOutcome::Locked(locked)),
        Err(e) if is_unique_violation(&e) => Ok(AddOutcome::AlreadyExists),
        Err(Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _)) => {
            Ok(AddOutcome::NoSuchCase)
        }
        Err(e) => Err(e),
    }
}

/// Adds customers to `case_id` with `rows`, every row they need and their
/// audit records ([`Rows::of`]), in the caller's transaction: a multi-row
/// insert per table in the common case. Any failure fails them all (the
/// caller rolls back, and can then [`add`] them one at a time to learn
/// which failed and why). Nothing is written while another user holds the
/// case's lock.
pub fn add_all(
    conn: &mut DbConnection,
    case_id: &str,
    rows: &Rows,
    change: &Change,
) -> QueryResult<Result<(), Locked>> {
    if let Err(locked) = locks::ensure_writable(conn, case_id, change)? {
        return Ok(Err(locked));
    }
    rows.insert(conn).map(Ok)
}

/// Adds `customers` (distinct ids) to `case_id`, a case this transaction
/// opened, with every row they need and their audit records, after
/// `earlier` (the case's records this transaction has not written yet): no
/// customer can be on it yet and no other user can hold its lock, so
/// neither is checked, and a multi-row insert per table writes them all.
pub fn add_to_new_case(
    conn: &mut DbConnection,
    keyring: &Keyring,
    case_id: &str,
    customers: &[&Customer],
    change: &Change,
    earlier: Vec<NewAudit>,
) -> QueryResult<()> {
    let mut rows = Rows::of(keyring, case_id, customers, change);
    rows.audit.splice(0..0, earlier);
    rows.insert(conn)
}

/// Removes `customer_id` from `case_id` (its rows go with it) and records
/// it (the customer as it was), in one transaction; `false` when it was not
/// on the case. Refused while another user holds the case's lock.
pub fn remove(
    conn: &mut DbConnection,
    keyring: &Keyring,
    case_id: &str,
    customer_id: &str,
    change: &Change,
) -> QueryResult<Result<bool, Locked>> {
    write_transaction(conn, |conn| {
        if let Err(locked) = locks::ensure_writable(conn, case_id, change)? {
            return Ok(Err(locked));
        }
        let found: Option<CustomerRow> = case_customers::table
            .find((case_id, customer_id))
            .select(CustomerRow::as_select())
            .first(conn)
            .optional()?;
        let Some(row) = found else {
            return Ok(Ok(false));
        };
        // Read before the delete, in its transaction: the trail keeps what
        // was removed.
        let customer = complete(conn, keyring, case_id, vec![row])?
            .pop()
            .ok_or(Error::NotFound)?;
        let removed =
            diesel::delete(case_customers::table.find((case_id, customer_id))).execute(conn)?;
        if removed == 0 {
            return Ok(Ok(false));
        }
        let mut record = change.record(case_id, Action::CustomerRemoved);
        record.customer_id = Some(customer_id.to_owned());
        audit::write(
            conn,
            &record.sealed(keyring, Some(&to_json(&customer)), None),
        )?;
        Ok(Ok(true))
    })
}

/// The JSON of a customer, as a case shows it.
fn to_json(customer: &Customer) -> String {
    // Serializing our own wire type cannot fail.
    serde_json::to_string(customer).unwrap_or_default()
}

/// Up to `limit` customers of `case_id` after `after`, by customer id, with
/// every field: eight queries, whatever the page size.
pub fn page(
    conn: &mut DbConnection,
    keyring: &Keyring,
    case_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Customer>, Failure> {
    let mut query = case_customers::table
        .filter(case_customers::case_id.eq(case_id))
        .order(case_customers::customer_id.asc())
        .limit(limit + 1)
        .select(CustomerRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(case_customers::customer_id.gt(after.to_owned()));
    }
    let page = Page::of(query.load(conn)?, limit);
    Ok(Page {
        items: complete(conn, keyring, case_id, page.items)?,
        more: page.more,
    })
}

/// The customers of `case_id` whose main rows are `rows`, with every field
/// and list: seven queries, whatever their number. A value that does not
/// open or parse fails as [`super::undecodable`].
pub(super) fn complete(
    conn: &mut DbConnection,
    keyring: &Keyring,
    case_id: &str,
    rows: Vec<CustomerRow>,
) -> QueryResult<Vec<Customer>> {
    let ids: Vec<String> = rows.iter().map(|r| r.customer_id.clone()).collect();
    let mut detail_rows: Vec<DetailsRow> = details::table
        .filter(details::case_id.eq(case_id))
        .filter(details::customer_id.eq_any(&ids))
        .select(DetailsRow::as_select())
        .load(conn)?;
    let list_rows = ListRows {
        addresses: addresses::table
            .filter(addresses::case_id.eq(case_id))
            .filter(addresses::customer_id.eq_any(&ids))
            .order((addresses::customer_id, addresses::position))
            .select(lists::AddressRow::as_select())
            .load(conn)?,
        phones: phones::table
            .filter(phones::case_id.eq(case_id))
            .filter(phones::customer_id.eq_any(&ids))
            .order((phones::customer_id, phones::position))
            .select(lists::PhoneRow::as_select())
            .load(conn)?,
        emails: emails::table
            .filter(emails::case_id.eq(case_id))
            .filter(emails::customer_id.eq_any(&ids))
            .order((emails::customer_id, emails::position))
            .select(lists::EmailRow::as_select())
            .load(conn)?,
        accounts: accounts::table
            .filter(accounts::case_id.eq(case_id))
            .filter(accounts::customer_id.eq_any(&ids))
            .order((accounts::customer_id, accounts::position))
            .select(lists::AccountRow::as_select())
            .load(conn)?,
        online_accounts: online_accounts::table
            .filter(online_accounts::case_id.eq(case_id))
            .filter(online_accounts::customer_id.eq_any(&ids))
            .order((online_accounts::customer_id, online_accounts::position))
            .select(lists::OnlineAccountRow::as_select())
            .load(conn)?,
        profiles: profiles::table
            .filter(profiles::case_id.eq(case_id))
            .filter(profiles::customer_id.eq_any(&ids))
            .order((profiles::customer_id, profiles::position))
            .select(lists::ProfileRow::as_select())
            .load(conn)?,
    };
    let mut customers = rows
        .into_iter()
        .map(|row| {
            let at = detail_rows
                .iter()
                .position(|d| d.customer_id == row.customer_id)
                .ok_or_else(|| Corrupt("a customer without its details".into()))?;
            customer_rows::customer_of(keyring, row, detail_rows.swap_remove(at))
        })
        .collect::<Result<Vec<_>, Corrupt>>()
        .map_err(super::undecodable)?;
    lists::attach(keyring, &mut customers, list_rows).map_err(super::undecodable)?;
    Ok(customers)
}
