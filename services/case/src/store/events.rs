//! Events: saved, promoted to new cases or extended to an existing one,
//! all in one transaction per request, and read back a page at a time.

use super::audit::{self, Action, Change};
use super::customers::{self, AddOutcome};
use super::locks::{self, Locked};
use super::{suppression, Page};
use crate::realtime::{focus_of, Batch};
use crate::rows::events::{self as event_rows, EntityRow, EventRow};
use crate::rows::CaseRow;
use crate::schema::{case_numbers, event_customers, event_entities, events};
use crate::status;
use crate::wire::events::CaseEvent;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use service_kit::db::{is_unique_violation, write_transaction};
use service_kit::{insert_rows, on_backend};
use service_kit::{DbConnection, Failure, Keyring};
use std::collections::{BTreeMap, HashMap};

/// Where the events go.
#[derive(Debug, Clone)]
pub enum Target {
    /// Nowhere: saved alone (`saveEvents`).
    Nowhere,
    /// To a new case per focus customer, due on `due_date` (`YYYY-MM-DD`),
    /// unless a suppression rule in force on `today` matches.
    NewCases {
        /// The new cases' due date.
        due_date: String,
        /// Today, `YYYY-MM-DD`, for the rules' expiry.
        today: String,
    },
    /// To this existing case.
    Case(String),
}

/// What became of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Saved: the cases and their events, and the events suppressed with
    /// the rule that matched.
    Done {
        /// Each case and the events that went to it.
        cases: Vec<(String, Vec<String>)>,
        /// Each event suppressed, with the rule's id.
        suppressed: Vec<(String, i64)>,
    },
    /// An event code was seen before; nothing was written.
    EventExists,
    /// The case to extend does not exist; nothing was written.
    NoSuchCase,
    /// The case to extend is closed; nothing was written.
    CaseClosed,
    /// Another user holds the lock of the case to extend; nothing was
    /// written.
    CaseLocked(Locked),
}

/// Why a transaction was rolled back.
enum Abort {
    Refused(Saved),
    Database(diesel::result::Error),
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Self {
        if is_unique_violation(&e) {
            // Only the events' key is unique among what is inserted before
            // the cases: an event code seen before.
            Self::Refused(Saved::EventExists)
        } else {
            Self::Database(e)
        }
    }
}

/// Saves `batch` and sends it to `target`, all or nothing. The events are
/// inserted first, in code order (so two requests sharing codes lock them
/// in the same order), and their key refuses a code seen before, also when
/// two requests race.
pub fn save(
    conn: &mut DbConnection,
    keyring: &Keyring,
    batch: &Batch,
    target: &Target,
    change: &Change,
) -> QueryResult<Saved> {
    let written = write_transaction(conn, |conn| {
        insert_events(conn, keyring, batch, change)?;
        let saved = match target {
            Target::Nowhere => Saved::Done {
                cases: Vec::new(),
                suppressed: Vec::new(),
            },
            Target::NewCases { due_date, today } => {
                promote(conn, keyring, batch, due_date, today, change)?
            }
            Target::Case(case_id) => extend(conn, keyring, batch, case_id, change)?,
        };
        match saved {
            Saved::Done { .. } => Ok(saved),
            refused => Err(Abort::Refused(refused)),
        }
    });
    match written {
        Ok(saved) => Ok(saved),
        Err(Abort::Refused(saved)) => Ok(saved),
        Err(Abort::Database(e)) => Err(e),
    }
}

fn insert_events(
    conn: &mut DbConnection,
    keyring: &Keyring,
    batch: &Batch,
    change: &Change,
) -> Result<(), Abort> {
    let mut ordered: Vec<_> = batch.events.iter().collect();
    ordered.sort_by(|a, b| a.event_code.cmp(&b.event_code));
    for event in ordered {
        let (row, entities) = event_rows::rows_of(keyring, event, &change.at, &change.actor);
        diesel::insert_into(events::table)
            .values(&row)
            .execute(conn)?;
        on_backend!(conn, |c| insert_rows!(
            c,
            event_entities::table,
            entities,
            [100, 10, 1]
        ))
        .map_err(Abort::Database)?;
        let code = event.event_code.as_str();
        let kept: Vec<_> = Batch::customers_of(event)
            .into_iter()
            .filter_map(|id| batch.entities.get(id).map(|list| (id, list)))
            .map(|(id, list)| {
                let list: Vec<_> = list.iter().collect();
                event_rows::customer_row(keyring, code, id, &list)
            })
            .collect();
        on_backend!(conn, |c| insert_rows!(
            c,
            event_customers::table,
            kept,
            [100, 10, 1]
        ))
        .map_err(Abort::Database)?;
    }
    Ok(())
}

/// Opens a case per focus customer of the events no rule suppresses.
fn promote(
    conn: &mut DbConnection,
    keyring: &Keyring,
    batch: &Batch,
    due_date: &str,
    today: &str,
    change: &Change,
) -> Result<Saved, Abort> {
    let mut by_focus: BTreeMap<&str, Vec<&crate::wire::events::Event>> = BTreeMap::new();
    let mut suppressed = Vec::new();
    for event in &batch.events {
        let Ok(focus) = focus_of(event) else {
            continue; // Checked by Batch::check for a promotion.
        };
        let scenarios: Vec<&str> = event
            .details
            .iter()
            .filter_map(|d| d.scenario_name.as_ref().map(|s| s.as_str()))
            .collect();
        match suppression::matching(conn, focus, &scenarios, today).map_err(Abort::Database)? {
            Some(rule) => {
                let code = event.event_code.as_str();
                diesel::update(events::table.find(code))
                    .set(events::suppressed_by.eq(rule))
                    .execute(conn)
                    .map_err(Abort::Database)?;
                suppressed.push((code.to_owned(), rule));
            }
            None => by_focus.entry(focus).or_default().push(event),
        }
    }
    let mut opened = Vec::new();
    for (focus, events) in by_focus {
        let case_type = events[0].event_type.as_ref().map(|t| t.as_str().to_owned());
        let case_id = open_case(conn, case_type, focus, due_date, change)?;
        let codes = attach(conn, keyring, batch, &events, &case_id, change)?;
        opened.push((case_id, codes));
    }
    Ok(Saved::Done {
        cases: opened,
        suppressed,
    })
}

/// Attaches the events to an existing case.
fn extend(
    conn: &mut DbConnection,
    keyring: &Keyring,
    batch: &Batch,
    case_id: &str,
    change: &Change,
) -> Result<Saved, Abort> {
    let Some(case) = super::cases::find(conn, case_id).map_err(Abort::Database)? else {
        return Ok(Saved::NoSuchCase);
    };
    if status::by_code(&case.case_status_code).is_some_and(|s| s.closed) {
        return Ok(Saved::CaseClosed);
    }
    if let Err(locked) = locks::ensure_writable(conn, case_id, change).map_err(Abort::Database)? {
        return Ok(Saved::CaseLocked(locked));
    }
    let events: Vec<_> = batch.events.iter().collect();
    let codes = attach(conn, keyring, batch, &events, case_id, change)?;
    Ok(Saved::Done {
        cases: vec![(case_id.to_owned(), codes)],
        suppressed: Vec::new(),
    })
}

/// Opens a case of `case_type` for the customer `focus`, priority Low, due
/// on `due_date`, under the next generated id: `CA` and the next number,
/// recorded as created. A number whose id was already taken (by
/// `createCase`, which takes any id) is skipped.
fn open_case(
    conn: &mut DbConnection,
    case_type: Option<String>,
    focus: &str,
    due_date: &str,
    change: &Change,
) -> Result<String, Abort> {
    loop {
        let number = next_case_number(conn).map_err(Abort::Database)?;
        let row = CaseRow {
            case_id: format!("{PREFIX}{number}"),
            case_type_code: case_type.clone(),
            case_description: None,
            case_status_code: status::INITIAL.code.to_owned(),
            status_changed_at: change.at.clone(),
            created_at: change.at.clone(),
            created_by: change.actor.clone(),
            priority: Some(PRIORITY.to_owned()),
            due_date: Some(due_date.to_owned()),
            application_id: None,
            assignee: None,
            assigned_at: None,
            focus_customer_id: Some(focus.to_owned()),
            priority_rank: status::priority_rank(PRIORITY),
        };
        if super::cases::insert(conn, &row, change).map_err(Abort::Database)? {
            return Ok(row.case_id);
        }
    }
}

/// The next number of a generated case id. PostgreSQL draws it from a
/// sequence, which locks nothing, so concurrent promotions do not queue on
/// it; SQLite has one writer at a time anyway, and counts in `case_numbers`
/// (the row is this transaction's until it commits).
fn next_case_number(conn: &mut DbConnection) -> QueryResult<i64> {
    match conn {
        DbConnection::Postgres(pg) => {
            diesel::select(sql::<BigInt>("nextval('case_number_seq')")).get_result(pg)
        }
        DbConnection::Sqlite(lite) => {
            diesel::update(case_numbers::table.find(PREFIX))
                .set(case_numbers::last.eq(case_numbers::last + 1))
                .execute(lite)?;
            case_numbers::table
                .find(PREFIX)
                .select(case_numbers::last)
                .first(lite)
        }
    }
}

/// The prefix of generated case ids.
pub const PREFIX: &str = "CA";
/// The priority of a case promoted from events.
pub const PRIORITY: &str = "Low";

/// Sets the events' case, records each (as the case shows it, sealed), and
/// adds the customers they name that are not on the case yet (through the
/// one path that adds customers).
fn attach(
    conn: &mut DbConnection,
    keyring: &Keyring,
    batch: &Batch,
    events: &[&crate::wire::events::Event],
    case_id: &str,
    change: &Change,
) -> Result<Vec<String>, Abort> {
    let mut codes = Vec::with_capacity(events.len());
    for event in events {
        let code = event.event_code.as_str();
        diesel::update(events::table.find(code))
            .set(events::case_id.eq(case_id))
            .execute(conn)
            .map_err(Abort::Database)?;
        // The event as the case now shows it: its rows as this change saved
        // them, read as getCaseDetails reads them.
        let (row, entities) = event_rows::rows_of(keyring, event, &change.at, &change.actor);
        let shown = event_rows::case_event(keyring, row, entities)
            .map_err(|e| Abort::Database(super::undecodable(e)))?;
        // Serializing our own wire type cannot fail.
        let json = serde_json::to_string(&shown).unwrap_or_default();
        let mut record = change.record(case_id, Action::EventAdded);
        record.event_code = Some(code.to_owned());
        let record = record.sealed(keyring, None, Some(&json));
        audit::write(conn, &record).map_err(Abort::Database)?;
        codes.push(code.to_owned());
    }
    for event in events {
        for id in Batch::customers_of(event) {
            let Some(customer) = batch.customers.get(id) else {
                continue;
            };
            // AlreadyExists: on the case before (extend) or from an
            // earlier event of this request; both leave it as it is.
            let added = customers::add(conn, keyring, case_id, customer, change)
                .map_err(Abort::Database)?;
            debug_assert_ne!(added, AddOutcome::NoSuchCase);
        }
    }
    Ok(codes)
}

/// Up to `limit` events of `case_id` after `after`, by event code, with
/// their entities: two queries.
pub fn page(
    conn: &mut DbConnection,
    keyring: &Keyring,
    case_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<CaseEvent>, Failure> {
    let mut query = events::table
        .filter(events::case_id.eq(case_id))
        .order(events::event_code.asc())
        .limit(limit + 1)
        .select(EventRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(events::event_code.gt(after.to_owned()));
    }
    let page = Page::of(query.load(conn)?, limit);
    let codes: Vec<&str> = page.items.iter().map(|e| e.event_code.as_str()).collect();
    let rows: Vec<EntityRow> = event_entities::table
        .filter(event_entities::event_code.eq_any(&codes))
        .order((event_entities::event_code, event_entities::position))
        .select(EntityRow::as_select())
        .load(conn)?;
    let mut entities: HashMap<String, Vec<EntityRow>> = HashMap::new();
    for row in rows {
        entities
            .entry(row.event_code.clone())
            .or_default()
            .push(row);
    }
    let items = page
        .items
        .into_iter()
        .map(|row| {
            let mine = entities.remove(&row.event_code).unwrap_or_default();
            event_rows::case_event(keyring, row, mine).map_err(Failure::from)
        })
        .collect::<Result<Vec<_>, Failure>>()?;
    Ok(Page {
        items,
        more: page.more,
    })
}
