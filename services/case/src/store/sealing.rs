//! Sealing stored customer fields again: legacy plaintext (rows written
//! before sealing) when the service starts, and every field not under the
//! active key for `onboarding rekey`.

use super::audit;
use crate::rows::audit::{self as audit_rows, AuditRow, NEW_VALUE, OLD_VALUE};
use crate::rows::customer::{self, GENERIC_INFORMATION, IDENTIFICATION_DOCUMENTS, TAX_ID};
use crate::rows::records::{BusinessRow, CaseRecordRow};
use crate::rows::{events, lists, narrative, recommendation, records};
use crate::schema::{
    application_rm_requests, business_records, case_audit, case_customer_accounts,
    case_customer_addresses, case_customer_anticipatory_profiles, case_customer_details,
    case_customer_emails, case_customer_online_accounts, case_customer_phones, case_customers,
    case_evidence, case_evidence_reviews, case_narratives, case_recommendations, case_records,
    event_customers, event_entities,
};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use service_kit::db::{rewrite_in_batches, Batch};
use service_kit::keyring::SEALED;
use service_kit::Failure;
use service_kit::{DbConnection, Keyring};

/// How many rows one pass reads and rewrites in one transaction.
const BATCH: i64 = 500;

/// Seals again, a batch at a time, the `$column` of `$table` whose stored
/// text does not start with `$prefix`. Each rewritten row leaves the filter,
/// so the reading needs no cursor and ends when a batch comes back empty.
macro_rules! reseal_column {
    // A customer's own column (`rows::customer`).
    ($conn:expr, $keyring:expr, $prefix:expr, $table:ident, $column:ident, $field:expr) => {
        reseal_column!(
            $conn,
            $keyring,
            $prefix,
            $table,
            (case_id: String, customer_id: String),
            $column,
            |(case_id, customer_id): &(String, String), stored: &str| {
                customer::reseal($keyring, $field, case_id, customer_id, stored)
            }
        )
    };
    // A column of a customer's list entries (`rows::lists`).
    ($conn:expr, $keyring:expr, $prefix:expr, list $table:ident, $column:ident, $field:expr) => {
        reseal_column!(
            $conn,
            $keyring,
            $prefix,
            $table,
            (case_id: String, customer_id: String, position: i32),
            $column,
            |key: &(String, String, i32), stored: &str| lists::reseal($keyring, $field, key, stored)
        )
    };
    // A column whose rows are keyed by `$key`s, resealed by
    // `$reseal(&key, stored)`.
    ($conn:expr, $keyring:expr, $prefix:expr, $table:ident, ($($key:ident: $ty:ty),+), $column:ident, $reseal:expr) => {{
        let condition = format!(
            "substr({col}, 1, {len}) <> '{prefix}'",
            col = stringify!($column),
            len = $prefix.len(),
            prefix = $prefix,
        );
        let read = |conn: &mut DbConnection| {
            let batch: Vec<(($($ty,)+), Option<String>)> = $table::table
                .filter($table::$column.is_not_null())
                .filter(sql::<Bool>(&condition))
                .select((($($table::$key,)+), $table::$column.nullable()))
                .limit(BATCH)
                .load(conn)?;
            if batch.is_empty() {
                return Ok(Batch::Done);
            }
            batch
                .into_iter()
                .map(|(key, stored)| {
                    let stored: String = stored.unwrap_or_default();
                    let value = $reseal(&key, &stored)?;
                    Ok((key, stored, value))
                })
                .collect::<Result<Vec<_>, Failure>>()
                .map(Batch::Rows)
        };
        rewrite_in_batches($conn, read, |conn, (key, stored, value)| {
            // Each key column by name: a key of one column too.
            let ($($key,)+) = key.clone();
            diesel::update(
                $table::table
                    $(.filter($table::$key.eq($key)))+
                    .filter($table::$column.eq(stored)),
            )
            .set($table::$column.eq(value))
            .execute(conn)
        })?
    }};
}

/// Seals again, a batch at a time in id order, the `$column` of the audit
/// rows whose action seals its values and whose stored text does not start
/// with `$prefix`.
macro_rules! reseal_audit_column {
    ($conn:expr, $keyring:expr, $prefix:expr, $column:ident, $name:expr) => {{
        let condition = format!(
            "substr({col}, 1, {len}) <> '{prefix}'",
            col = stringify!($column),
            len = $prefix.len(),
            prefix = $prefix,
        );
        let sealed = audit::sealed_names();
        // The audit trail is the largest table: a cursor on its key reads
        // each row once, where the filter alone would scan again, each
        // batch, past the rows already rewritten.
        let mut after = i64::MIN;
        let read = |conn: &mut DbConnection| {
            let batch: Vec<AuditRow> = case_audit::table
                .filter(case_audit::id.gt(after))
                .filter(case_audit::action.eq_any(sealed))
                .filter(case_audit::$column.is_not_null())
                .filter(sql::<Bool>(&condition))
                .order(case_audit::id.asc())
                .select(AuditRow::as_select())
                .limit(BATCH)
                .load(conn)?;
            let Some(last) = batch.last() else {
                return Ok(Batch::Done);
            };
            after = last.id;
            batch
                .into_iter()
                .map(|row| {
                    let stored = row.$column.clone().unwrap_or_default();
                    let value = row.reseal($keyring, $name, &stored)?;
                    Ok((row.id, stored, value))
                })
                .collect::<Result<Vec<_>, Failure>>()
                .map(Batch::Rows)
        };
        rewrite_in_batches($conn, read, |conn, (id, stored, value)| {
            diesel::update(
                case_audit::table
                    .find(id)
                    .filter(case_audit::$column.eq(stored)),
            )
            .set(case_audit::$column.eq(value))
            .execute(conn)
        })?
    }};
}

/// Rewrites the rows of a records table (`$row`s, keyed by `$key`s) that
/// need it, a batch at a time in key order, as `$resealed(keyring, &row)`
/// makes them: rows written before ids were sealed (their key is their
/// plaintext id) always; with `everything`, also rows with a value not
/// under the active key or a key that is not their id's blind index. The
/// cursor is the key as read: a row rewritten to a later key is read again
/// and passed over, as it then needs nothing. A row is rewritten only if it
/// still holds what was read. Returns how many rows were rewritten.
macro_rules! reseal_record_rows {
    ($conn:expr, $keyring:expr, $everything:expr, $prefix:expr, $table:ident, $row:ty, $resealed:expr, ($first:ident $(, $rest:ident)*)) => {{
        let mut after: Option<(String, $(reseal_record_rows!(@text $rest),)*)> = None;
        let read = |conn: &mut DbConnection| {
            let mut query = $table::table
                .select(<$row>::as_select())
                .order(($table::$first.asc(), $($table::$rest.asc(),)*))
                .limit(BATCH)
                .into_boxed();
            if !$everything {
                query = query.filter(sql::<Bool>("record_key = record_id"));
            }
            if let Some(($first, $($rest,)*)) = after.clone() {
                // A row value: `(a, b) > (?, ?)`, on both backends.
                let columns = [stringify!($first), $(stringify!($rest),)*].join(", ");
                query = query.filter(
                    sql::<Bool>(&format!("({columns}) > ("))
                        .bind::<Text, _>($first)
                        $(.sql(", ").bind::<Text, _>($rest))*
                        .sql(")"),
                );
            }
            let batch: Vec<$row> = query.load(conn)?;
            let Some(last) = batch.last() else {
                return Ok(Batch::Done);
            };
            after = Some((last.$first.clone(), $(last.$rest.clone(),)*));
            let mut rewrite = Vec::new();
            for row in batch {
                let resealed: $row = $resealed($keyring, &row)?;
                let stale = row.record_key != resealed.record_key
                    || !row.record_id.starts_with($prefix)
                    || !row.details.starts_with($prefix);
                if stale {
                    rewrite.push((row, resealed));
                }
            }
            Ok::<_, Failure>(Batch::Rows(rewrite))
        };
        rewrite_in_batches($conn, read, |conn, (row, resealed)| {
            diesel::update(
                $table::table
                    .find((&row.$first, $(&row.$rest,)*))
                    .filter($table::record_id.eq(&row.record_id))
                    .filter($table::details.eq(&row.details)),
            )
            .set((
                $table::record_key.eq(&resealed.record_key),
                $table::record_id.eq(&resealed.record_id),
                $table::details.eq(&resealed.details),
            ))
            .execute(conn)
        })?
    }};
    (@text $key:ident) => { String };
}

/// Seals legacy plaintext, or with `everything` every field not under the
/// active key. Returns how many fields were rewritten. The audit trail's
/// values are only read with `everything`: none was ever stored in
/// plaintext (the narrative ids once kept there were moved out by a
/// migration), and the trail is too large to read at every start for
/// nothing.
pub fn reseal(
    conn: &mut DbConnection,
    keyring: &Keyring,
    everything: bool,
) -> Result<usize, Failure> {
    // Key ids are letters, digits, '-' and '_': safe inside a literal.
    let prefix = if everything {
        keyring.current_prefix()
    } else {
        SEALED.to_owned()
    };
    let tax_ids = reseal_column!(conn, keyring, prefix, case_customers, tax_id, TAX_ID);
    let generic = reseal_column!(
        conn,
        keyring,
        prefix,
        case_customer_details,
        generic_information,
        GENERIC_INFORMATION
    );
    let documents = reseal_column!(
        conn,
        keyring,
        prefix,
        case_customer_details,
        identification_documents,
        IDENTIFICATION_DOCUMENTS
    );
    let entities = reseal_column!(
        conn,
        keyring,
        prefix,
        event_customers,
        (event_code: String, customer_id: String),
        entities,
        |(event_code, customer_id): &(String, String), stored: &str| {
            events::reseal(keyring, event_code, customer_id, stored)
        }
    );
    let audit_ids = seal_legacy_audit_ids(conn, keyring)?;
    let audit_values = if everything {
        reseal_audit_column!(conn, keyring, prefix, old_value, OLD_VALUE)
            + reseal_audit_column!(conn, keyring, prefix, new_value, NEW_VALUE)
            + reseal_audit_record_ids(conn, keyring, &prefix)?
    } else {
        0
    };
    let comments = reseal_column!(
        conn,
        keyring,
        prefix,
        case_recommendations,
        (case_id: String, recommended_at: String),
        comment,
        |(case_id, at): &(String, String), stored: &str| {
            keyring
                .reseal(&recommendation::comment_context(case_id, at), stored)
                .map_err(Failure::internal)
        }
    );
    // After the names are sealed: their indexes are computed from them.
    let personal = reseal_personal(conn, keyring, &prefix)?;
    let name_indexes = super::name_index::reindex(conn, keyring, everything)?;
    Ok(tax_ids
        + comments
        + name_indexes
        + reseal_flow(conn, keyring, &prefix)?
        + personal
        + generic
        + documents
        + entities
        + audit_ids
        + audit_values
        + reseal_records(conn, keyring, everything, &prefix)?)
}

/// Seals again, a batch at a time, the flow's sealed columns (SPEC §D):
/// evidence file names and comments, reviews' comments, requests'
/// messages.
fn reseal_flow(conn: &mut DbConnection, keyring: &Keyring, prefix: &str) -> Result<usize, Failure> {
    use crate::rows::flow::{evidence_row, COMMENTS, FILE_NAME, MESSAGE, REVIEW_COMMENTS};
    let field = |column: &str, row: &str, stored: &str| {
        keyring
            .reseal(&format!("{column}:{row}"), stored)
            .map_err(Failure::internal)
    };
    let evidence = |column: &'static str| {
        move |(case_id, document_id): &(String, String), stored: &str| {
            field(column, &evidence_row(case_id, document_id), stored)
        }
    };
    Ok(reseal_column!(
        conn,
        keyring,
        prefix,
        case_evidence,
        (case_id: String, document_id: String),
        file_name,
        evidence(FILE_NAME)
    ) + reseal_column!(
        conn,
        keyring,
        prefix,
        case_evidence,
        (case_id: String, document_id: String),
        comments,
        evidence(COMMENTS)
    ) + reseal_column!(
        conn,
        keyring,
        prefix,
        case_evidence_reviews,
        (event_id: String),
        comments,
        |(event_id,): &(String,), stored: &str| field(REVIEW_COMMENTS, event_id, stored)
    ) + reseal_column!(
        conn,
        keyring,
        prefix,
        application_rm_requests,
        (request_id: String),
        message,
        |(request_id,): &(String,), stored: &str| field(MESSAGE, request_id, stored)
    ))
}

/// Seals again, a batch at a time, the customers' personal columns and
/// event entities' names whose stored text does not start with `prefix`
/// (issue 17, finding 5: plaintext before this).
fn reseal_personal(
    conn: &mut DbConnection,
    keyring: &Keyring,
    prefix: &str,
) -> Result<usize, Failure> {
    use crate::rows::customer as c;
    use crate::rows::lists as l;
    let own = reseal_column!(
        conn,
        keyring,
        prefix,
        case_customers,
        first_name,
        c::FIRST_NAME
    ) + reseal_column!(
        conn,
        keyring,
        prefix,
        case_customers,
        middle_name,
        c::MIDDLE_NAME
    ) + reseal_column!(
        conn,
        keyring,
        prefix,
        case_customers,
        last_name,
        c::LAST_NAME
    ) + reseal_column!(
        conn,
        keyring,
        prefix,
        case_customers,
        customer_organization_name,
        c::ORGANIZATION_NAME
    ) + reseal_column!(
        conn,
        keyring,
        prefix,
        case_customers,
        date_of_birth,
        c::DATE_OF_BIRTH
    );
    let details = reseal_column!(
        conn,
        keyring,
        prefix,
        case_customer_details,
        estimated_net_worth,
        c::NET_WORTH
    ) + reseal_column!(
        conn,
        keyring,
        prefix,
        case_customer_details,
        estimated_annual_income,
        c::ANNUAL_INCOME
    ) + reseal_column!(
        conn,
        keyring,
        prefix,
        case_customer_details,
        estimated_liquid_net_worth,
        c::LIQUID_NET_WORTH
    ) + reseal_column!(
        conn,
        keyring,
        prefix,
        case_customer_details,
        source_of_wealth,
        c::SOURCE_OF_WEALTH
    ) + reseal_column!(
        conn,
        keyring,
        prefix,
        case_customer_details,
        credit_rating,
        c::CREDIT_RATING
    ) + reseal_column!(
        conn,
        keyring,
        prefix,
        case_customer_details,
        credit_score,
        c::CREDIT_SCORE
    ) + reseal_column!(
        conn,
        keyring,
        prefix,
        case_customer_details,
        employer,
        c::EMPLOYER
    );
    let addresses = reseal_column!(conn, keyring, prefix, list case_customer_addresses, address_line1, l::ADDRESS_LINE1)
        + reseal_column!(conn, keyring, prefix, list case_customer_addresses, address_line2, l::ADDRESS_LINE2)
        + reseal_column!(conn, keyring, prefix, list case_customer_addresses, address_line3, l::ADDRESS_LINE3)
        + reseal_column!(conn, keyring, prefix, list case_customer_addresses, address_line4, l::ADDRESS_LINE4)
        + reseal_column!(conn, keyring, prefix, list case_customer_addresses, address_line5, l::ADDRESS_LINE5)
        + reseal_column!(conn, keyring, prefix, list case_customer_addresses, address_line6, l::ADDRESS_LINE6)
        + reseal_column!(conn, keyring, prefix, list case_customer_addresses, city, l::CITY)
        + reseal_column!(conn, keyring, prefix, list case_customer_addresses, state, l::STATE)
        + reseal_column!(conn, keyring, prefix, list case_customer_addresses, postal_code, l::POSTAL_CODE)
        + reseal_column!(conn, keyring, prefix, list case_customer_addresses, region_name, l::REGION_NAME);
    let contacts = reseal_column!(conn, keyring, prefix, list case_customer_phones, phone_number, l::PHONE_NUMBER)
        + reseal_column!(conn, keyring, prefix, list case_customer_phones, extension_number, l::EXTENSION_NUMBER)
        + reseal_column!(conn, keyring, prefix, list case_customer_emails, email_id, l::EMAIL_ID);
    let accounts = reseal_column!(conn, keyring, prefix, list case_customer_accounts, account_id, l::ACCOUNT_ID)
        + reseal_column!(conn, keyring, prefix, list case_customer_online_accounts, online_account_id, l::ONLINE_ACCOUNT_ID)
        + reseal_column!(conn, keyring, prefix, list case_customer_online_accounts, online_account_user_id, l::ONLINE_USER_ID)
        + reseal_column!(conn, keyring, prefix, list case_customer_online_accounts, account_id, l::ONLINE_ACCOUNT_ACCOUNT_ID)
        + reseal_column!(conn, keyring, prefix, list case_customer_anticipatory_profiles, average_transaction_amount, l::AVERAGE_AMOUNT)
        + reseal_column!(conn, keyring, prefix, list case_customer_anticipatory_profiles, total_amount, l::TOTAL_AMOUNT);
    let entities = reseal_column!(
        conn,
        keyring,
        prefix,
        event_entities,
        (event_code: String, position: i32),
        entity_name,
        |key: &(String, i32), stored: &str| events::reseal_entity(keyring, key, stored)
    );
    Ok(own + details + addresses + contacts + accounts + entities)
}

/// Seals again, a batch at a time, the business records and the records on
/// cases: their ids and contents, and recomputes their keys (the blind
/// index of the id, which a new `BLIND_INDEX_KEY` changes), as
/// [`reseal_record_rows!`] says. Returns how many fields were rewritten
/// (two a row: the id and the record).
fn reseal_records(
    conn: &mut DbConnection,
    keyring: &Keyring,
    everything: bool,
    prefix: &str,
) -> Result<usize, Failure> {
    let business = reseal_record_rows!(
        conn,
        keyring,
        everything,
        prefix,
        business_records,
        BusinessRow,
        records::resealed_business,
        (kind, record_key)
    );
    let on_cases = reseal_record_rows!(
        conn,
        keyring,
        everything,
        prefix,
        case_records,
        CaseRecordRow,
        records::resealed_case,
        (case_id, kind, record_key)
    );
    Ok(2 * (business + on_cases) + reseal_narratives(conn, keyring, prefix)?)
}

/// Seals again the business record ids of the audit trail not under the
/// active key, and recomputes their blind indexes (a new
/// `BLIND_INDEX_KEY`): every record row of the trail is read, a batch at a
/// time in id order, and rewritten only where something changes and only
/// if it still holds what was read. Returns how many ids were rewritten.
fn reseal_audit_record_ids(
    conn: &mut DbConnection,
    keyring: &Keyring,
    prefix: &str,
) -> Result<usize, Failure> {
    let actions: Vec<&str> = audit::sealed_names()
        .into_iter()
        .filter(|action| audit_rows::seals_record_id(action))
        .collect();
    let mut after = i64::MIN;
    rewrite_in_batches(
        conn,
        |conn: &mut DbConnection| {
            let batch: Vec<(AuditRow, Option<String>)> = case_audit::table
                .filter(case_audit::id.gt(after))
                .filter(case_audit::action.eq_any(&actions))
                .filter(case_audit::record_id.is_not_null())
                .order(case_audit::id.asc())
                .select((AuditRow::as_select(), case_audit::record_key))
                .limit(BATCH)
                .load(conn)?;
            let Some((last, _)) = batch.last() else {
                return Ok(Batch::Done);
            };
            after = last.id;
            let mut rewrite = Vec::new();
            for (row, key) in batch {
                let stored = row.record_id.clone().unwrap_or_default();
                let id = row.opened_record_id(keyring)?.unwrap_or_default();
                let (sealed, new_key) = row.sealed_record_id(keyring, &id);
                if !stored.starts_with(prefix) || key.as_deref() != Some(new_key.as_str()) {
                    rewrite.push((row.id, stored, (sealed, new_key)));
                }
            }
            Ok::<_, Failure>(Batch::Rows(rewrite))
        },
        |conn, (id, stored, (sealed, key))| {
            diesel::update(
                case_audit::table
                    .find(id)
                    .filter(case_audit::record_id.eq(stored)),
            )
            .set((
                case_audit::record_id.eq(sealed),
                case_audit::record_key.eq(key),
            ))
            .execute(conn)
        },
    )
}

/// Seals the record ids the audit trail held in plaintext before ids were
/// sealed (moved to `legacy_record_id` by the migration), emptying that
/// column; each rewritten row leaves the filter, which an index serves.
fn seal_legacy_audit_ids(conn: &mut DbConnection, keyring: &Keyring) -> Result<usize, Failure> {
    rewrite_in_batches(
        conn,
        |conn: &mut DbConnection| {
            let batch: Vec<(AuditRow, Option<String>)> = case_audit::table
                .filter(case_audit::legacy_record_id.is_not_null())
                .select((AuditRow::as_select(), case_audit::legacy_record_id))
                .limit(BATCH)
                .load(conn)?;
            if batch.is_empty() {
                return Ok(Batch::Done);
            }
            Ok::<_, Failure>(Batch::Rows(
                batch
                    .into_iter()
                    .map(|(row, legacy)| {
                        let legacy = legacy.unwrap_or_default();
                        let sealed = row.sealed_record_id(keyring, &legacy);
                        (row.id, legacy, sealed)
                    })
                    .collect(),
            ))
        },
        |conn, (id, legacy, (sealed, key))| {
            diesel::update(
                case_audit::table
                    .find(id)
                    .filter(case_audit::legacy_record_id.eq(legacy)),
            )
            .set((
                case_audit::record_id.eq(sealed),
                case_audit::record_key.eq(key),
                case_audit::legacy_record_id.eq(None::<String>),
            ))
            .execute(conn)
        },
    )
}

/// Seals again, a batch at a time, the narratives whose stored text does
/// not start with `prefix`.
fn reseal_narratives(
    conn: &mut DbConnection,
    keyring: &Keyring,
    prefix: &str,
) -> Result<usize, Failure> {
    let condition = format!("substr(narrative, 1, {}) <> '{prefix}'", prefix.len());
    rewrite_in_batches(
        conn,
        |conn: &mut DbConnection| {
            let batch: Vec<(i64, String, String, String, String)> = case_narratives::table
                .filter(sql::<Bool>(&condition))
                .select((
                    case_narratives::id,
                    case_narratives::case_id,
                    case_narratives::created_at,
                    case_narratives::created_by,
                    case_narratives::narrative,
                ))
                .limit(BATCH)
                .load(conn)?;
            if batch.is_empty() {
                return Ok(Batch::Done);
            }
            batch
                .into_iter()
                .map(|(id, case_id, at, by, stored)| {
                    let value = narrative::reseal(keyring, &case_id, &at, &by, &stored)?;
                    Ok((id, stored, value))
                })
                .collect::<Result<Vec<_>, Failure>>()
                .map(Batch::Rows)
        },
        |conn, (id, stored, value)| {
            diesel::update(
                case_narratives::table
                    .find(id)
                    .filter(case_narratives::narrative.eq(stored)),
            )
            .set(case_narratives::narrative.eq(value))
            .execute(conn)
        },
    )
}
