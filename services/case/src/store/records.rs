//! Business records: the bank's own (loaded in bulk, looked up for
//! `businessAdd: "Y"`) and those on cases (added a group at a time in the
//! caller's transaction or one at a time, removed one at a time, read back
//! a page at a time).

use super::audit::{self, Change};
use super::{Page, IN_LIST_CHUNK};
use crate::rows::audit::NewAudit;
use crate::rows::records::{self as rows, BusinessRow, CaseRecordRow, StagedRow};
use crate::schema::{business_records, business_records_staging, case_audit, case_records};
use crate::wire::records::{BusinessRecords, Record, RecordKind};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};
use diesel::upsert::excluded;
use service_kit::db::{is_unique_violation, write_transaction};
use service_kit::{insert_rows, on_backend, DbConnection, Failure, Keyring};
use std::collections::{HashMap, HashSet};

use super::customers::AddOutcome;
use super::locks::{self, Locked};

/// The most rows one insert statement carries: with seven columns, 700
/// parameters, far under SQLite's and PostgreSQL's limits.
const ROWS_PER_INSERT: usize = 100;

/// The rows of `records`, sealed, loaded at `at`.
fn business_rows<R: Record>(keyring: &Keyring, records: &[R], at: &str) -> Vec<BusinessRow> {
    records
        .iter()
        .map(|r| rows::business_row(keyring, r, at))
        .collect()
}

/// Writes `rows` into the business records, replacing any stored under the
/// same kind and id, in the caller's transaction (which may write several
/// such batches). On PostgreSQL the rows are copied (COPY, binary) into a
/// temporary table, upserted from it in one statement, and the table
/// dropped with that statement (or at the transaction's end, should it
/// fail); on SQLite, where a statement costs little, upserted
/// [`ROWS_PER_INSERT`] at a time. `rows` must not name the same record
/// twice (PostgreSQL refuses to upsert a row twice in one statement).
pub fn upsert_business(conn: &mut DbConnection, rows: &[BusinessRow]) -> QueryResult<()> {
    match conn {
        DbConnection::Postgres(pg) => {
            diesel::sql_query(
                "CREATE TEMP TABLE business_records_staging \
                 (LIKE business_records) ON COMMIT DROP",
            )
            .execute(pg)?;
            let staged: Vec<StagedRow> = rows.iter().map(StagedRow::from).collect();
            diesel::copy_from(business_records_staging::table)
                .from_insertable(&staged)
                .execute(pg)?;
            // No parameters: both statements go in one round trip.
            pg.batch_execute(
                "INSERT INTO business_records (kind, record_key, record_id, details, updated_at) \
                 SELECT kind, record_key, record_id, details, updated_at \
                 FROM business_records_staging \
                 ON CONFLICT (kind, record_key) DO UPDATE \
                 SET record_id = EXCLUDED.record_id, details = EXCLUDED.details, \
                 updated_at = EXCLUDED.updated_at; \
                 DROP TABLE business_records_staging",
            )?;
        }
        DbConnection::Sqlite(lite) => {
            for chunk in rows.chunks(ROWS_PER_INSERT) {
                diesel::insert_into(business_records::table)
                    .values(chunk)
                    .on_conflict((business_records::kind, business_records::record_key))
                    .do_update()
                    .set((
                        business_records::record_id.eq(excluded(business_records::record_id)),
                        business_records::details.eq(excluded(business_records::details)),
                        business_records::updated_at.eq(excluded(business_records::updated_at)),
                    ))
                    .execute(lite)?;
            }
        }
    }
    Ok(())
}

/// The blind indexes of `ids`, each with its id.
fn keys_of<'a>(
    keyring: &Keyring,
    ids: impl IntoIterator<Item = &'a str>,
) -> HashMap<String, &'a str> {
    ids.into_iter()
        .map(|id| (rows::record_key(keyring, id), id))
        .collect()
}

/// The business records of kind `R` among `ids`, by id (found by their
/// blind indexes).
pub fn business<R: Record>(
    conn: &mut DbConnection,
    keyring: &Keyring,
    ids: &[&str],
) -> Result<HashMap<String, R>, Failure> {
    let keys: Vec<String> = keys_of(keyring, ids.iter().copied()).into_keys().collect();
    let mut found = HashMap::new();
    for chunk in keys.chunks(IN_LIST_CHUNK) {
        let rows: Vec<BusinessRow> = business_records::table
            .filter(business_records::kind.eq(R::KIND.as_str()))
            .filter(business_records::record_key.eq_any(chunk))
            .select(BusinessRow::as_select())
            .load(conn)?;
        for row in rows {
            let record = rows::business_record::<R>(keyring, &row)?;
            found.insert(record.id().to_owned(), record);
        }
    }
    Ok(found)
}

/// The `(case, id)` pairs of kind `kind` among `pairs` already on their
/// case (found by their blind indexes): one query per case (per few
/// hundred ids).
pub fn existing(
    conn: &mut DbConnection,
    keyring: &Keyring,
    kind: RecordKind,
    pairs: &[(&str, &str)],
) -> QueryResult<HashSet<(String, String)>> {
    let mut by_case: HashMap<&str, Vec<&str>> = HashMap::new();
    for (case, id) in pairs {
        by_case.entry(case).or_default().push(id);
    }
    let mut found = HashSet::new();
    for (case, ids) in by_case {
        let keys = keys_of(keyring, ids);
        let wanted: Vec<&String> = keys.keys().collect();
        for chunk in wanted.chunks(IN_LIST_CHUNK) {
            let stored: Vec<String> = case_records::table
                .filter(case_records::case_id.eq(case))
                .filter(case_records::kind.eq(kind.as_str()))
                .filter(case_records::record_key.eq_any(chunk))
                .select(case_records::record_key)
                .load(conn)?;
            found.extend(
                stored
                    .iter()
                    .filter_map(|key| keys.get(key))
                    .map(|id| (case.to_owned(), (*id).to_owned())),
            );
        }
    }
    Ok(found)
}

/// The audit record of a record added to (`added`) or removed from a case,
/// with the record's `json` as the value after or before, sealed.
fn audit_of(
    keyring: &Keyring,
    case_id: &str,
    kind: RecordKind,
    id: &str,
    json: &str,
    added: bool,
    change: &Change,
) -> NewAudit {
    let action = if added {
        audit::Action::RecordAdded(kind)
    } else {
        audit::Action::RecordRemoved(kind)
    };
    let mut record = change.record(case_id, action);
    record.record_id = Some(id.to_owned());
    if added {
        record.sealed(keyring, None, Some(json))
    } else {
        record.sealed(keyring, Some(json), None)
    }
}

/// Some records of one case as rows, with their audit records, sealed:
/// made before the write that stores them ([`add_all`]), so that no
/// transaction waits on the sealing.
pub struct Rows {
    records: Vec<CaseRecordRow>,
    audit: Vec<NewAudit>,
}

impl Rows {
    /// The rows of `records` added to `case_id` by `change`.
    pub fn of<R: Record>(
        keyring: &Keyring,
        case_id: &str,
        records: &[&R],
        change: &Change,
    ) -> Self {
        Self {
            records: records
                .iter()
                .map(|r| rows::case_row(keyring, case_id, *r, &change.actor, &change.at))
                .collect(),
            audit: records
                .iter()
                .map(|r| {
                    let json = rows::to_json(*r);
                    audit_of(keyring, case_id, R::KIND, r.id(), &json, true, change)
                })
                .collect(),
        }
    }
}

/// Adds records to `case_id` with `rows`, theirs and their audit records
/// ([`Rows::of`]), in the caller's transaction: one multi-row insert per
/// table. Any failure fails them all (the caller rolls back, and can then
/// [`add`] them one at a time to learn which failed and why). Nothing is
/// written while another user holds the case's lock.
pub fn add_all(
    conn: &mut DbConnection,
    case_id: &str,
    rows: &Rows,
    change: &Change,
) -> QueryResult<Result<(), Locked>> {
    if let Err(locked) = locks::ensure_writable(conn, case_id, change)? {
        return Ok(Err(locked));
    }
    on_backend!(conn, |c| {
        insert_rows!(
            c,
            case_records::table,
            rows.records,
            [ROWS_PER_INSERT, 10, 1]
        )?;
        insert_rows!(c, case_audit::table, rows.audit, [ROWS_PER_INSERT, 10, 1])
    })
    .map(Ok)
}

/// Adds `record` to `case_id` with its audit record, in one transaction (a
/// savepoint in the caller's). The primary key makes concurrent adds of the
/// same record leave exactly one. Refused while another user holds the
/// case's lock.
pub fn add<R: Record>(
    conn: &mut DbConnection,
    keyring: &Keyring,
    case_id: &str,
    record: &R,
    change: &Change,
) -> QueryResult<AddOutcome> {
    let rows = Rows::of(keyring, case_id, &[record], change);
    match write_transaction(conn, |conn| add_all(conn, case_id, &rows, change)) {
        Ok(Ok(())) => Ok(AddOutcome::Added),
        Ok(Err(locked)) => Ok(AddOutcome::Locked(locked)),
        Err(e) if is_unique_violation(&e) => Ok(AddOutcome::AlreadyExists),
        Err(Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _)) => {
            Ok(AddOutcome::NoSuchCase)
        }
        Err(e) => Err(e),
    }
}

/// Removes the record of kind `kind` and id `id` from `case_id`, with its
/// audit record (the record as it was), in one transaction; `false` when
/// it is not on the case (or not with `type_code`, when one is named).
/// Refused while another user holds the case's lock.
pub fn remove(
    conn: &mut DbConnection,
    keyring: &Keyring,
    case_id: &str,
    kind: RecordKind,
    id: &str,
    type_code: Option<&str>,
    change: &Change,
) -> QueryResult<Result<bool, Locked>> {
    write_transaction(conn, |conn| {
        if let Err(locked) = locks::ensure_writable(conn, case_id, change)? {
            return Ok(Err(locked));
        }
        let record_key = rows::record_key(keyring, id);
        let key = (case_id, kind.as_str(), record_key.as_str());
        let found = case_records::table
            .find(key)
            .select(CaseRecordRow::as_select())
            .first(conn)
            .optional()?
            .filter(|row| type_code.is_none_or(|code| row.type_code.as_deref() == Some(code)));
        let Some(row) = found else {
            return Ok(Ok(false));
        };
        // Read before the delete, in its transaction: the trail keeps what
        // was removed.
        let json = rows::case_json(keyring, &row).map_err(super::undecodable)?;
        if diesel::delete(case_records::table.find(key)).execute(conn)? == 0 {
            return Ok(Ok(false));
        }
        let record = audit_of(keyring, case_id, kind, id, &json, false, change);
        audit::write(conn, &record)?;
        Ok(Ok(true))
    })
}

/// Up to `limit` records of kind `R` on `case_id` after the id `after`,
/// in id order (by bytes). Ids are sealed, so the database cannot order
/// them: the case's ids of the kind are read and opened (small values),
/// ordered here, and only the page's rows are read whole.
pub fn page<R: Record>(
    conn: &mut DbConnection,
    keyring: &Keyring,
    case_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<R>, Failure> {
    let kind = R::KIND.as_str();
    let stored: Vec<(String, String)> = case_records::table
        .filter(case_records::case_id.eq(case_id))
        .filter(case_records::kind.eq(kind))
        .select((case_records::record_key, case_records::record_id))
        .load(conn)?;
    let mut ids = Vec::with_capacity(stored.len());
    for (key, sealed) in stored {
        let id = rows::case_record_id(keyring, case_id, kind, &key, &sealed)?;
        if after.is_none_or(|after| id.as_str() > after) {
            ids.push((id, key));
        }
    }
    ids.sort_unstable();
    ids.truncate(usize::try_from(limit + 1).unwrap_or(usize::MAX));
    let keys: Vec<&str> = ids.iter().map(|(_, key)| key.as_str()).collect();
    let mut by_key: HashMap<String, CaseRecordRow> = case_records::table
        .filter(case_records::case_id.eq(case_id))
        .filter(case_records::kind.eq(kind))
        .filter(case_records::record_key.eq_any(&keys))
        .select(CaseRecordRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|row| (row.record_key.clone(), row))
        .collect();
    // A record removed between the two reads is left out.
    let found: Vec<CaseRecordRow> = ids
        .iter()
        .filter_map(|(_, key)| by_key.remove(key))
        .collect();
    let page = Page::of(found, limit);
    let items = page
        .items
        .iter()
        .map(|row| rows::case_record::<R>(keyring, row).map_err(Failure::from))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page {
        items,
        more: page.more,
    })
}

/// Loads `records` into the bank's business records in one transaction:
/// all of them, or none. Each replaces any stored under the same kind and
/// id (loading the same records again changes nothing); of a record named
/// twice, the last counts.
pub fn load_business(
    conn: &mut DbConnection,
    keyring: &Keyring,
    records: &BusinessRecords,
    at: &str,
) -> QueryResult<()> {
    store_business(conn, &sealed_business(keyring, records, at))
}

/// The rows [`load_business`] writes for `records`: sealed, one per kind
/// and id (the last of a record named twice). Apart from the writing, so
/// that an import seals on one thread while another writes.
pub fn sealed_business(keyring: &Keyring, records: &BusinessRecords, at: &str) -> Vec<BusinessRow> {
    let mut rows = business_rows(keyring, &records.accounts, at);
    rows.extend(business_rows(keyring, &records.external_entities, at));
    rows.extend(business_rows(keyring, &records.transactions, at));
    let mut seen = HashSet::new();
    let mut last: Vec<BusinessRow> = rows
        .into_iter()
        .rev()
        .filter(|row| seen.insert((row.kind.clone(), row.record_key.clone())))
        .collect();
    last.reverse();
    last
}

/// Writes rows of [`sealed_business`] in one transaction: all of them, or
/// none.
pub fn store_business(conn: &mut DbConnection, rows: &[BusinessRow]) -> QueryResult<()> {
    write_transaction(conn, |conn| upsert_business(conn, rows))
}
