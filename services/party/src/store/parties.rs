//! The queries of the parties resource: a party is one `parties` row and
//! its ordered child rows (contact points, identifiers, addresses).

use super::StoreError;
use crate::rows::parties::{
    child_rows, date_of_birth_key, email_key, fields_of, identifier_key, name_key, rows_of,
    AddressRow, ContactPointRow, IdentifierRow, PartyFields, PartyRow, PartyRows,
};
use crate::rows::Corrupt;
use crate::schema::{parties, party_addresses, party_contact_points, party_identifiers, party_ids};
use diesel::prelude::*;
use domain::party::{Party, PartyInput};
use domain::PartyId;
use service_kit::db::{is_unique_violation, timestamp, DbConnection};
use service_kit::db::{rewrite_in_batches, write_together, write_transaction, Batch};
use service_kit::{insert_rows, on_backend, Failure, Keyring};

/// How many fresh ids an insert draws before giving up. With 9·10⁹ ids a
/// second collision in a row is already vanishingly rare.
const ID_ATTEMPTS: usize = 5;

/// Creates `new` in a transaction of its own. A chosen id that was ever
/// given out, or deleted, is [`StoreError::IdTaken`]; a fresh one that
/// was is drawn again.
fn insert(
    conn: &mut DbConnection,
    keyring: &Keyring,
    mut new: NewParty,
) -> Result<PartyRows, StoreError> {
    let mut attempt = 1;
    loop {
        let written = write_transaction(conn, |conn| write(conn, std::slice::from_ref(&new)));
        match written {
            Ok(()) => return Ok(new.rows),
            Err(e) if is_unique_violation(&e) && new.chosen.is_some() => {
                return Err(StoreError::IdTaken)
            }
            Err(e) if is_unique_violation(&e) && attempt < ID_ATTEMPTS => {
                attempt += 1;
                new = NewParty::of(keyring, new.input, None);
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// A party to create, made before its turn to be written: its rows, sealed,
/// under the caller's chosen id or a fresh random one, and what they were
/// made from, to make them again should the id be taken.
pub struct NewParty {
    input: PartyInput,
    chosen: Option<PartyId>,
    rows: PartyRows,
}

impl NewParty {
    /// The party `input`, under `chosen` or a fresh id.
    pub fn of(keyring: &Keyring, input: PartyInput, chosen: Option<PartyId>) -> Self {
        let id = chosen.clone().unwrap_or_else(PartyId::random);
        let rows = rows_of(keyring, &id, &input, &timestamp(chrono::Utc::now()));
        Self {
            input,
            chosen,
            rows,
        }
    }
}

/// Creates the parties `batch`, the creates waiting together (group
/// commit, [`write_together`]): all in one transaction, a multi-row
/// statement per table, so that one commit serves them all; should a
/// statement fail (an id drawn or chosen twice, or taken), each alone. The
/// rows of each, or why it was not created, in order.
pub fn insert_all(
    conn: &mut DbConnection,
    keyring: &Keyring,
    batch: Vec<NewParty>,
) -> Result<Vec<Result<PartyRows, StoreError>>, Failure> {
    write_together(
        conn,
        batch,
        write,
        |conn, new| insert(conn, keyring, new),
        |new| Ok(new.rows),
    )
}

/// Writes the rows of `parties`, a multi-row statement per table. The ids
/// first: each orders its create after a delete of the same id under way,
/// and before one that comes later.
fn write(conn: &mut DbConnection, parties: &[NewParty]) -> QueryResult<()> {
    let ids: Vec<_> = parties
        .iter()
        .map(|new| party_ids::id.eq(new.rows.party.id.clone()))
        .collect();
    let rows: Vec<PartyRow> = parties.iter().map(|new| new.rows.party.clone()).collect();
    on_backend!(conn, |c| {
        insert_rows!(c, party_ids::table, ids, [64, 16, 4, 1])?;
        insert_rows!(c, parties::table, rows, [64, 16, 4, 1])
    })?;
    insert_children(
        conn,
        &every(parties, |r| &r.contact_points),
        &every(parties, |r| &r.identifiers),
        &every(parties, |r| &r.addresses),
    )
}

/// The child rows of one kind of all `parties`, in order.
fn every<T: Clone>(parties: &[NewParty], of: impl Fn(&PartyRows) -> &Vec<T>) -> Vec<T> {
    parties
        .iter()
        .flat_map(|new| of(&new.rows).iter().cloned())
        .collect()
}

/// Inserts a party's child rows, a multi-row statement per table: of fixed
/// row counts (a list holds at most 20), which the connection prepares once.
fn insert_children(
    conn: &mut DbConnection,
    contact_points: &[ContactPointRow],
    identifiers: &[IdentifierRow],
    addresses: &[AddressRow],
) -> QueryResult<()> {
    on_backend!(conn, |c| {
        insert_rows!(
            c,
            party_contact_points::table,
            contact_points,
            [20, 10, 5, 2, 1]
        )?;
        insert_rows!(c, party_identifiers::table, identifiers, [20, 10, 5, 2, 1])?;
        insert_rows!(c, party_addresses::table, addresses, [20, 10, 5, 2, 1])
    })
}

/// Deletes a party's child rows, to write them again.
fn delete_children(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    diesel::delete(party_contact_points::table.filter(party_contact_points::party_id.eq(id)))
        .execute(conn)?;
    diesel::delete(party_identifiers::table.filter(party_identifiers::party_id.eq(id)))
        .execute(conn)?;
    diesel::delete(party_addresses::table.filter(party_addresses::party_id.eq(id)))
        .execute(conn)?;
    Ok(())
}

/// Replaces a party's fields, provided it is still at `version`.
pub fn update(
    conn: &mut DbConnection,
    keyring: &Keyring,
    id: &PartyId,
    version: i64,
    input: &PartyInput,
) -> Result<Party, StoreError> {
    let now = timestamp(chrono::Utc::now());
    let fields: PartyFields = fields_of(keyring, id, input);
    let (contact_points, identifiers, addresses) = child_rows(keyring, id, input);
    write_transaction(conn, |conn| {
        let changed = diesel::update(
            parties::table
                .find(id.as_str())
                .filter(parties::version.eq(version)),
        )
        .set((
            &fields,
            parties::version.eq(version + 1),
            parties::updated_at.eq(&now),
        ))
        .execute(conn)?;
        if changed == 0 {
            return Err(StoreError::Stale);
        }
        delete_children(conn, id.as_str())?;
        insert_children(conn, &contact_points, &identifiers, &addresses)?;
        Ok(())
    })?;
    find(conn, keyring, id)?
        .map(|(party, _)| party)
        .ok_or(StoreError::Stale)
}

/// Deletes a party and its child rows. False when there is no such party;
/// its id is then spent all the same, so that a create with it (one whose
/// caller gave up on it and deleted it) that arrives late is refused.
pub fn delete(conn: &mut DbConnection, id: &PartyId) -> Result<bool, StoreError> {
    let now = timestamp(chrono::Utc::now());
    let deleted = write_transaction(conn, |conn| {
        // The id first: on PostgreSQL this waits for a create of it under
        // way, so that the delete below sees its party.
        service_kit::on_backend!(conn, |c| diesel::insert_into(party_ids::table)
            .values((
                party_ids::id.eq(id.as_str()),
                party_ids::deleted_at.eq(&now)
            ))
            .on_conflict_do_nothing()
            .execute(c))?;
        diesel::update(
            party_ids::table
                .find(id.as_str())
                .filter(party_ids::deleted_at.is_null()),
        )
        .set(party_ids::deleted_at.eq(&now))
        .execute(conn)?;
        // Child rows go by ON DELETE CASCADE.
        diesel::delete(parties::table.find(id.as_str())).execute(conn)
    })?;
    Ok(deleted == 1)
}

/// A party and its version, if it exists.
pub fn find(
    conn: &mut DbConnection,
    keyring: &Keyring,
    id: &PartyId,
) -> Result<Option<(Party, i64)>, StoreError> {
    let row = parties::table
        .find(id.as_str())
        .select(PartyRow::as_select())
        .first(conn)
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    let version = row.version;
    let mut parties = assemble(conn, keyring, vec![row])?;
    Ok(parties.pop().map(|p| (p, version)))
}

/// What a list is filtered by; every filter is served by an index.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// Matches a last name by its blind index, case-insensitively.
    pub last_name: Option<String>,
    /// Matches a date of birth (`YYYY-MM-DD`) by its blind index.
    pub date_of_birth: Option<String>,
    /// Matches an email contact point by its blind index,
    /// case-insensitively.
    pub email: Option<String>,
    /// Matches a `taxId` identifier by its blind index (normalised).
    pub tax_id: Option<String>,
}

/// Up to `limit` parties matching `filter` with ids after `after`, by id,
/// and whether more follow.
pub fn list(
    conn: &mut DbConnection,
    keyring: &Keyring,
    filter: &Filter,
    after: Option<&PartyId>,
    limit: i64,
) -> Result<(Vec<Party>, bool), StoreError> {
    let mut query = parties::table
        .select(PartyRow::as_select())
        .order(parties::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(parties::id.gt(after.to_string()));
    }
    if let Some(name) = &filter.last_name {
        query = query.filter(parties::last_name_key.eq(name_key(keyring, name)));
    }
    if let Some(date) = &filter.date_of_birth {
        query = query.filter(parties::date_of_birth_key.eq(date_of_birth_key(keyring, date)));
    }
    if let Some(email) = &filter.email {
        let owners = party_contact_points::table
            .filter(party_contact_points::channel.eq("email"))
            .filter(party_contact_points::value_key.eq(email_key(keyring, email)))
            .select(party_contact_points::party_id);
        query = query.filter(parties::id.eq_any(owners));
    }
    if let Some(tax_id) = &filter.tax_id {
        let owners = party_identifiers::table
            .filter(party_identifiers::id_type.eq("taxId"))
            .filter(party_identifiers::value_key.eq(identifier_key(keyring, "taxId", tax_id)))
            .select(party_identifiers::party_id);
        query = query.filter(parties::id.eq_any(owners));
    }
    let mut found = query.load(conn)?;
    let more = found.len() as i64 > limit;
    found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((assemble(conn, keyring, found)?, more))
}

/// Loads the child rows of `rows` and builds the parties, in the order of
/// `rows`.
fn assemble(
    conn: &mut DbConnection,
    keyring: &Keyring,
    rows: Vec<PartyRow>,
) -> Result<Vec<Party>, StoreError> {
    rows_of_parties(conn, rows)?
        .into_iter()
        .map(|rows| Ok(rows.into_party(keyring)?))
        .collect()
}

/// Loads the child rows of `rows` (three queries, whatever their number),
/// in the order of `rows`.
fn rows_of_parties(conn: &mut DbConnection, rows: Vec<PartyRow>) -> QueryResult<Vec<PartyRows>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut contact_points = party_contact_points::table
        .filter(party_contact_points::party_id.eq_any(&ids))
        .order((
            party_contact_points::party_id,
            party_contact_points::position,
        ))
        .select(ContactPointRow::as_select())
        .load(conn)?;
    let mut identifiers = party_identifiers::table
        .filter(party_identifiers::party_id.eq_any(&ids))
        .order((party_identifiers::party_id, party_identifiers::position))
        .select(IdentifierRow::as_select())
        .load(conn)?;
    let mut addresses = party_addresses::table
        .filter(party_addresses::party_id.eq_any(&ids))
        .order((party_addresses::party_id, party_addresses::position))
        .select(AddressRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|party| {
            let id = party.id.clone();
            PartyRows {
                party,
                contact_points: take_owned(&mut contact_points, |r| r.party_id() == id),
                identifiers: take_owned(&mut identifiers, |r| r.party_id() == id),
                addresses: take_owned(&mut addresses, |r| r.party_id() == id),
            }
        })
        .collect())
}

/// Moves the rows matching `owned` out of `rows`, keeping their order.
fn take_owned<T>(rows: &mut Vec<T>, owned: impl Fn(&T) -> bool) -> Vec<T> {
    let (mine, rest): (Vec<T>, Vec<T>) = std::mem::take(rows).into_iter().partition(owned);
    *rows = rest;
    mine
}

/// How many parties one reseal pass reads at a time.
const RESEAL_BATCH: i64 = 500;

/// Seals parties again under the active key and recomputes their blind
/// indexes: parties written before their personal data was sealed always,
/// every party with `everything` (`onboarding rekey`, after a key
/// rotation). Each batch is one transaction. A party is rewritten only if
/// it is still at the version read, so an update made meanwhile (which
/// sealed its own values under the active key) is kept. Returns how many
/// parties were rewritten.
pub fn reseal(
    conn: &mut DbConnection,
    keyring: &Keyring,
    everything: bool,
) -> Result<usize, StoreError> {
    let mut after: Option<String> = None;
    let read = |conn: &mut DbConnection| {
        let mut query = parties::table
            .select(PartyRow::as_select())
            .order(parties::id)
            .limit(RESEAL_BATCH)
            .into_boxed();
        if !everything {
            query = query.filter(parties::sealed.eq(false));
        }
        if let Some(id) = &after {
            query = query.filter(parties::id.gt(id.clone()));
        }
        let batch: Vec<PartyRow> = query.load(conn)?;
        let Some(last) = batch.last() else {
            return Ok(Batch::Done);
        };
        after = Some(last.id.clone());
        let resealed = rows_of_parties(conn, batch)?
            .into_iter()
            .map(|rows| rows.resealed(keyring))
            .collect::<Result<Vec<_>, Corrupt>>()?;
        Ok::<_, StoreError>(Batch::Rows(resealed))
    };
    rewrite_in_batches(conn, read, |conn, rows| {
        let id = rows.party.id.as_str();
        let changed = diesel::update(
            parties::table
                .find(id)
                .filter(parties::version.eq(rows.party.version)),
        )
        .set(rows.party.fields())
        .execute(conn)?;
        if changed == 1 {
            delete_children(conn, id)?;
            insert_children(
                conn,
                &rows.contact_points,
                &rows.identifiers,
                &rows.addresses,
            )?;
        }
        Ok(changed)
    })
}
