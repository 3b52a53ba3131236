//! Events: saved, promoted to new cases or extended to an existing one,
//! all in one transaction per request, and read back a page at a time.

use super::audit::{self, Action, Change};
use super::customers::{self, AddOutcome};
use super::locks::{self, Locked};
use super::{suppression, Page};
use crate::realtime::{focus_of, Batch};
use crate::rows::audit::NewAudit;
use crate::rows::events::{self as event_rows, EntityRow, EventRow};
use crate::rows::CaseRow;
use crate::schema::{case_numbers, event_customers, event_entities, events};
use crate::status;
use crate::wire::customer::Customer;
use crate::wire::events::{CaseEvent, Event};
use diesel::prelude::*;
use diesel::sql_types::Text;
use service_kit::db::{is_unique_violation, write_transaction};
use service_kit::{insert_rows, on_backend};
use service_kit::{DbConnection, Failure, Keyring};
use std::collections::{BTreeMap, HashMap, HashSet};

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
            // Only the events' insert leaves a unique violation to this
            // conversion (the cases' insert does nothing on a taken id, the
            // entities' and customers' map theirs): an event code seen
            // before.
            Self::Refused(Saved::EventExists)
        } else {
            Self::Database(e)
        }
    }
}

/// Saves `batch` and sends it to `target`, all or nothing. Where each
/// event goes is settled first (the suppression rules read, the new cases
/// opened, or the case to extend checked), so that each event is inserted
/// once, with its case or its rule: a changed row would be an `UPDATE`,
/// which diesel prepares afresh each time. The events go in code order (so
/// two requests sharing codes lock them in the same order), and their key
/// refuses a code seen before, also when two requests race; the cases such
/// a request opened are rolled back with it.
pub fn save(
    conn: &mut DbConnection,
    keyring: &Keyring,
    batch: &Batch,
    target: &Target,
    change: &Change,
) -> QueryResult<Saved> {
    let written = write_transaction(conn, |conn| {
        let placement = match target {
            Target::Nowhere => Placement::default(),
            Target::NewCases { due_date, today } => {
                open_cases(conn, batch, due_date, today, change)?
            }
            Target::Case(case_id) => extendable(conn, batch, case_id, change)?,
        };
        let mut rows = insert_events(conn, keyring, batch, &placement, change)?;
        let mut cases = Vec::with_capacity(placement.cases.len());
        for (case_id, events) in &placement.cases {
            let created = placement.created.get(case_id).cloned();
            let opened = created.is_some();
            let mut records = created.into_iter().collect();
            let codes = record_events(keyring, events, &mut rows, case_id, change, &mut records)?;
            add_customers(
                conn,
                keyring,
                batch,
                events,
                (case_id, opened),
                change,
                records,
            )?;
            cases.push((case_id.clone(), codes));
        }
        Ok(Saved::Done {
            cases,
            suppressed: placement.suppressed,
        })
    });
    match written {
        Ok(saved) => Ok(saved),
        Err(Abort::Refused(saved)) => Ok(saved),
        Err(Abort::Database(e)) => Err(e),
    }
}

/// Where the events of a request go, settled before any is written.
#[derive(Default)]
struct Placement<'a> {
    /// Each case with the events that go to it.
    cases: Vec<(String, Vec<&'a Event>)>,
    /// Each event suppressed, with the rule's id.
    suppressed: Vec<(String, i64)>,
    /// The audit record of each case this request opened, by case, written
    /// with the case's other records (one statement).
    created: HashMap<String, NewAudit>,
}

impl Placement<'_> {
    /// The case and the suppressing rule of the event `code`.
    fn of(&self, code: &str) -> (Option<&str>, Option<i64>) {
        let case = self.cases.iter().find_map(|(case_id, events)| {
            events
                .iter()
                .any(|e| e.event_code.as_str() == code)
                .then_some(case_id.as_str())
        });
        let rule = self
            .suppressed
            .iter()
            .find_map(|(suppressed, rule)| (suppressed == code).then_some(*rule));
        (case, rule)
    }
}

/// Inserts the events of `batch` in code order, each with its entities and
/// customers, as `placement` places them; their rows, by code, for the
/// audit trail.
fn insert_events(
    conn: &mut DbConnection,
    keyring: &Keyring,
    batch: &Batch,
    placement: &Placement,
    change: &Change,
) -> Result<HashMap<String, (EventRow, Vec<EntityRow>)>, Abort> {
    let mut ordered: Vec<_> = batch.events.iter().collect();
    ordered.sort_by(|a, b| a.event_code.cmp(&b.event_code));
    let mut inserted = HashMap::with_capacity(ordered.len());
    for event in ordered {
        let code = event.event_code.as_str();
        let (mut row, entities) = event_rows::rows_of(keyring, event, &change.at, &change.actor);
        let (case_id, rule) = placement.of(code);
        row.case_id = case_id.map(str::to_owned);
        row.suppressed_by = rule;
        on_backend!(conn, |c| diesel::insert_into(events::table)
            .values(&row)
            .execute(c))?;
        on_backend!(conn, |c| insert_rows!(
            c,
            event_entities::table,
            entities,
            [100, 10, 1]
        ))
        .map_err(Abort::Database)?;
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
        inserted.insert(code.to_owned(), (row, entities));
    }
    Ok(inserted)
}

/// Opens a case per focus customer of the events no rule suppresses.
fn open_cases<'a>(
    conn: &mut DbConnection,
    batch: &'a Batch,
    due_date: &str,
    today: &str,
    change: &Change,
) -> Result<Placement<'a>, Abort> {
    let mut by_focus: BTreeMap<&str, Vec<&Event>> = BTreeMap::new();
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
            Some(rule) => suppressed.push((event.event_code.as_str().to_owned(), rule)),
            None => by_focus.entry(focus).or_default().push(event),
        }
    }
    let mut cases = Vec::with_capacity(by_focus.len());
    let mut created = HashMap::with_capacity(by_focus.len());
    for (focus, events) in by_focus {
        let case_type = events[0].event_type.as_ref().map(|t| t.as_str().to_owned());
        let (case_id, record) = open_case(conn, case_type, focus, due_date, change)?;
        created.insert(case_id.clone(), record);
        cases.push((case_id, events));
    }
    Ok(Placement {
        cases,
        suppressed,
        created,
    })
}

/// Places every event on the existing case `case_id`, or refuses: no such
/// case, closed, or locked by another user.
fn extendable<'a>(
    conn: &mut DbConnection,
    batch: &'a Batch,
    case_id: &str,
    change: &Change,
) -> Result<Placement<'a>, Abort> {
    let Some(case) = super::cases::find(conn, case_id).map_err(Abort::Database)? else {
        return Err(Abort::Refused(Saved::NoSuchCase));
    };
    if status::by_code(&case.case_status_code).is_some_and(|s| s.closed) {
        return Err(Abort::Refused(Saved::CaseClosed));
    }
    if let Err(locked) = locks::ensure_writable(conn, case_id, change).map_err(Abort::Database)? {
        return Err(Abort::Refused(Saved::CaseLocked(locked)));
    }
    Ok(Placement {
        cases: vec![(case_id.to_owned(), batch.events.iter().collect())],
        suppressed: Vec::new(),
        created: HashMap::new(),
    })
}

/// Opens a case of `case_type` for the customer `focus`, priority Low, due
/// on `due_date`, under the next generated id: `CA` and the next number,
/// with its record of creation (not written yet). A number whose id was
/// already taken (by `createCase`, which takes any id) is skipped.
fn open_case(
    conn: &mut DbConnection,
    case_type: Option<String>,
    focus: &str,
    due_date: &str,
    change: &Change,
) -> Result<(String, NewAudit), Abort> {
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
        if super::cases::insert_row(conn, &row).map_err(Abort::Database)? {
            let record = super::cases::created(&row, change);
            return Ok((row.case_id, record));
        }
    }
}

/// The next number of a generated case id. PostgreSQL draws it from a
/// sequence, which locks nothing, so concurrent promotions do not queue on
/// it; SQLite has one writer at a time anyway, and counts in `case_numbers`
/// (the row is this transaction's until it commits).
fn next_case_number(conn: &mut DbConnection) -> QueryResult<i64> {
    match conn {
        DbConnection::Postgres(pg) => diesel::select(nextval(SEQUENCE)).get_result(pg),
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

diesel::define_sql_function! {
    /// PostgreSQL's `nextval`: a function call in diesel's DSL is a
    /// statement diesel prepares once per connection (a raw SQL literal is
    /// prepared afresh each time, a round trip more).
    fn nextval(sequence: Text) -> BigInt;
}

/// The sequence of generated case numbers on PostgreSQL.
const SEQUENCE: &str = "case_number_seq";

/// The prefix of generated case ids.
pub const PREFIX: &str = "CA";
/// The priority of a case promoted from events.
pub const PRIORITY: &str = "Low";

/// The record of each of `events` on `case_id` as the case shows it
/// (sealed), from the rows `insert_events` wrote, added to `records`; their
/// codes.
fn record_events(
    keyring: &Keyring,
    events: &[&Event],
    rows: &mut HashMap<String, (EventRow, Vec<EntityRow>)>,
    case_id: &str,
    change: &Change,
    records: &mut Vec<NewAudit>,
) -> Result<Vec<String>, Abort> {
    let mut codes = Vec::with_capacity(events.len());
    for event in events {
        let code = event.event_code.as_str();
        let (row, entities) = rows.remove(code).ok_or(Abort::Database(
            diesel::result::Error::NotFound, // Every event was inserted.
        ))?;
        // The event as the case now shows it: its rows as this change saved
        // them, read as getCaseDetails reads them.
        let shown = event_rows::case_event(keyring, row, entities)
            .map_err(|e| Abort::Database(super::undecodable(e)))?;
        // Serializing our own wire type cannot fail.
        let json = serde_json::to_string(&shown).unwrap_or_default();
        let mut record = change.record(case_id, Action::EventAdded);
        record.event_code = Some(code.to_owned());
        records.push(record.sealed(keyring, None, Some(&json)));
        codes.push(code.to_owned());
    }
    Ok(codes)
}

/// Writes `records` (the case's, this request's so far) and adds the
/// customers `events` name to `case_id` (through the paths that add
/// customers): all at once, with the records, to a case this request
/// `opened` (it has none of them yet), else one at a time, leaving as it
/// is one already on the case.
fn add_customers(
    conn: &mut DbConnection,
    keyring: &Keyring,
    batch: &Batch,
    events: &[&Event],
    (case_id, opened): (&str, bool),
    change: &Change,
    records: Vec<NewAudit>,
) -> Result<(), Abort> {
    let mut seen = HashSet::new();
    let named: Vec<&Customer> = events
        .iter()
        .flat_map(|event| Batch::customers_of(event))
        .filter(|id| seen.insert(*id))
        .filter_map(|id| batch.customers.get(id))
        .collect();
    if opened {
        return customers::add_to_new_case(conn, keyring, case_id, &named, change, records)
            .map_err(Abort::Database);
    }
    for record in &records {
        audit::write(conn, record).map_err(Abort::Database)?;
    }
    for customer in named {
        // AlreadyExists: on the case before; it stays as it is.
        let added =
            customers::add(conn, keyring, case_id, customer, change).map_err(Abort::Database)?;
        debug_assert_ne!(added, AddOutcome::NoSuchCase);
    }
    Ok(())
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
