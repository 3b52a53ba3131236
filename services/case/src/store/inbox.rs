//! The case workers' inbox: cases found by their status, type, priority,
//! assignee, due date and id, customer or customer name, sorted and paged by offset, with
//! how many match in all.
//!
//! Every filter and sort is served by an index of the `case_inbox`
//! migration: each nullable sort key leads with "is it NULL", so that cases
//! without one come last ascending and first descending (a descending page
//! is the ascending order reversed, which an index scanned backwards
//! serves), alike on both backends (SQLite and PostgreSQL put NULLs at
//! opposite ends by default).

use crate::rows::CaseRow;
use crate::schema::{case_customer_names, case_customers, case_locks, cases};
use crate::status;
use diesel::prelude::*;
use service_kit::db::MultiBackend;
use service_kit::DbConnection;
use std::collections::HashMap;

diesel::define_sql_function! {
    /// `substr(text, start, length)`, alike on both backends.
    fn substr(text: diesel::sql_types::Text, start: diesel::sql_types::Integer, length: diesel::sql_types::Integer) -> diesel::sql_types::Text;
}

/// Whose cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assigned {
    /// Anyone's or no one's.
    Any,
    /// No one's.
    Unassigned,
    /// This subject's.
    To(String),
}

/// What to sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// The due date.
    DueDate,
    /// The priority's rank.
    Priority,
    /// The creation time.
    CreatedOn,
    /// When the status was last set.
    StatusChanged,
    /// The case id.
    CaseId,
}

/// A search, checked.
#[derive(Debug, Clone)]
pub struct Search {
    /// Status codes (any when empty).
    pub statuses: Vec<String>,
    /// Case type codes (any when empty).
    pub types: Vec<String>,
    /// Priorities (any when empty).
    pub priorities: Vec<String>,
    /// Whose cases.
    pub assigned: Assigned,
    /// Only cases due before this day (`YYYY-MM-DD`) and not closed.
    pub overdue_before: Option<String>,
    /// A case id or its beginning, a customer id, or a customer's name.
    pub query: Option<Query>,
    /// The sort key.
    pub sort: Sort,
    /// Descending rather than ascending.
    pub descending: bool,
    /// The page size.
    pub limit: i64,
    /// The cases skipped.
    pub offset: i64,
    /// The most cases counted: counting every match costs a scan of all of
    /// them, and past the deepest page a search reaches the exact number
    /// changes nothing a caller can do.
    pub count_up_to: i64,
}

/// What `searchCases`' `query` matches.
#[derive(Debug, Clone)]
pub struct Query {
    /// The text as an id (a case id or its beginning, a customer id);
    /// `None` when it cannot be one.
    pub id: Option<String>,
    /// The blind index of the text as a name: a customer's full name or
    /// last name (`rows::customer::name_indexes`).
    pub name_key: String,
}

/// A page of cases, each with who holds its lock (if anyone), and how many
/// match in all, counted up to `count_up_to`.
pub struct Found {
    /// The cases of the page and their lock holders.
    pub cases: Vec<(CaseRow, Option<String>)>,
    /// How many match, or the search's `count_up_to` when more do.
    pub total: i64,
    /// More than `count_up_to` match: `total` is a lower bound.
    pub capped: bool,
}

/// The codes of the closed statuses.
fn closed_codes() -> Vec<&'static str> {
    status::STATUSES
        .iter()
        .filter(|s| s.closed)
        .map(|s| s.code)
        .collect()
}

/// `text` as a LIKE pattern matching what begins with it.
fn prefix_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// When at least this many cases match a search with no text, SQLite reads
/// its page in the sort's order ([`Filters::Checked`]).
///
/// Why: SQLite (3.53) reads every match through the filters' index and
/// sorts them before keeping the first 25; when a quarter of 100,000 cases
/// matched, that took 200 ms a page under load, where the sort's index,
/// read in order with the filters checked on each row, finds the page in
/// about a hundred rows (0.06 ms against 3.9 ms at 7,500 matches). Its
/// statistics give it averages only, but the count run just before says
/// exactly how many match. Below this, sorting the matches costs less than
/// a millisecond, while reading in order would cross the many cases that
/// do not match. Not on PostgreSQL: its statistics know how common each
/// value is and it picks the cheaper plan itself (39.6 ms p95 for that
/// page); given terms it cannot estimate, it guesses them rare and sorts
/// the whole table (242 ms).
const READ_IN_ORDER_FROM: i64 = 1_000;

/// How the filters of a search reach the database.
#[derive(Clone, Copy, PartialEq)]
enum Filters {
    /// As indexable terms: the filters' index finds the matches.
    Indexed,
    /// As terms no index serves (each column `|| ''`, which changes no
    /// value and no NULL), so the planner reads the sort's index in order
    /// and checks them on each row.
    Checked,
}

/// The cases `search` matches, unsorted and unpaged, with its filters as
/// `filters` says.
fn matching(search: &Search, filters: Filters) -> cases::BoxedQuery<'static, MultiBackend> {
    let mut query = cases::table.into_boxed();
    let checked = filters == Filters::Checked;
    if !search.statuses.is_empty() {
        let statuses = search.statuses.clone();
        query = if checked {
            query.filter(cases::case_status_code.concat("").eq_any(statuses))
        } else {
            query.filter(cases::case_status_code.eq_any(statuses))
        };
    }
    if !search.types.is_empty() {
        let types = search.types.clone();
        query = if checked {
            query.filter(cases::case_type_code.concat("").eq_any(types))
        } else {
            query.filter(cases::case_type_code.eq_any(types))
        };
    }
    if !search.priorities.is_empty() {
        let priorities = search.priorities.clone();
        query = if checked {
            query.filter(cases::priority.concat("").eq_any(priorities))
        } else {
            query.filter(cases::priority.eq_any(priorities))
        };
    }
    query = match (&search.assigned, checked) {
        (Assigned::Any, _) => query,
        (Assigned::Unassigned, false) => query.filter(cases::assignee.is_null()),
        (Assigned::Unassigned, true) => query.filter(cases::assignee.concat("").is_null()),
        (Assigned::To(subject), false) => query.filter(cases::assignee.eq(subject.clone())),
        (Assigned::To(subject), true) => {
            query.filter(cases::assignee.concat("").eq(subject.clone()))
        }
    };
    if let Some(today) = &search.overdue_before {
        query = query
            .filter(cases::due_date.lt(today.clone()))
            .filter(cases::case_status_code.ne_all(closed_codes()));
    }
    if let Some(wanted) = &search.query {
        // Each alternative reads its own index: the case id's, the
        // customers' `(customer_id, case_id)`, the names' `(name_index,
        // case_id)`.
        let by_name = cases::case_id.eq_any(
            case_customer_names::table
                .filter(case_customer_names::name_index.eq(wanted.name_key.clone()))
                .select(case_customer_names::case_id),
        );
        query = match &wanted.id {
            None => query.filter(by_name),
            Some(text) => {
                // LIKE is case-insensitive on SQLite: `substr` keeps the
                // prefix exact there too, and PostgreSQL's prefix index
                // serves the LIKE.
                let length = i32::try_from(text.chars().count()).unwrap_or(i32::MAX);
                let by_id = cases::case_id
                    .like(prefix_pattern(text))
                    .escape('\\')
                    .and(substr(cases::case_id, 1, length).eq(text.clone()));
                let of_customer = case_customers::table
                    .filter(case_customers::customer_id.eq(text.clone()))
                    .select(case_customers::case_id);
                query.filter(by_id.or(cases::case_id.eq_any(of_customer)).or(by_name))
            }
        };
    }
    query
}

/// A page of the cases `search` matches, as it sorts them, with the
/// holders of their locks unexpired at `now`, and how many match.
pub fn search(conn: &mut DbConnection, search: &Search, now: &str) -> QueryResult<Found> {
    let (total, capped) = count(conn, search)?;
    if search.offset >= total {
        return Ok(Found {
            cases: Vec::new(),
            total,
            capped,
        });
    }
    let sqlite = matches!(conn, DbConnection::Sqlite(_));
    let filters = if sqlite && search.query.is_none() && total >= READ_IN_ORDER_FROM {
        Filters::Checked
    } else {
        Filters::Indexed
    };
    let query = matching(search, filters);
    let query = match (search.sort, search.descending) {
        (Sort::DueDate, false) => query.order((
            cases::due_date.is_null(),
            cases::due_date.asc(),
            cases::case_id.asc(),
        )),
        (Sort::DueDate, true) => query.order((
            cases::due_date.is_null().desc(),
            cases::due_date.desc(),
            cases::case_id.desc(),
        )),
        (Sort::Priority, false) => query.order((
            cases::priority_rank.is_null(),
            cases::priority_rank.asc(),
            cases::case_id.asc(),
        )),
        (Sort::Priority, true) => query.order((
            cases::priority_rank.is_null().desc(),
            cases::priority_rank.desc(),
            cases::case_id.desc(),
        )),
        (Sort::CreatedOn, false) => query.order((cases::created_at.asc(), cases::case_id.asc())),
        (Sort::CreatedOn, true) => query.order((cases::created_at.desc(), cases::case_id.desc())),
        (Sort::StatusChanged, false) => {
            query.order((cases::status_changed_at.asc(), cases::case_id.asc()))
        }
        (Sort::StatusChanged, true) => {
            query.order((cases::status_changed_at.desc(), cases::case_id.desc()))
        }
        (Sort::CaseId, false) => query.order(cases::case_id.asc()),
        (Sort::CaseId, true) => query.order(cases::case_id.desc()),
    };
    let rows: Vec<CaseRow> = query
        .limit(search.limit)
        .offset(search.offset)
        .select(CaseRow::as_select())
        .load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|r| r.case_id.as_str()).collect();
    let holders: HashMap<String, String> = case_locks::table
        .filter(case_locks::case_id.eq_any(&ids))
        .filter(case_locks::expires_at.gt(now))
        .select((case_locks::case_id, case_locks::holder))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let cases = rows
        .into_iter()
        .map(|row| {
            let holder = holders.get(&row.case_id).cloned();
            (row, holder)
        })
        .collect();
    Ok(Found {
        cases,
        total,
        capped,
    })
}

/// How many cases `search` matches, up to its `count_up_to`, and whether
/// more do. Whether a match lies past `count_up_to` is asked first (an
/// OFFSET: the scan stops there, nothing is sent back); only when none
/// does is COUNT(*) run, over no more matches than that. Either way no
/// more than `count_up_to` + 1 matches are read, however many cases match.
fn count(conn: &mut DbConnection, search: &Search) -> QueryResult<(i64, bool)> {
    // The status, not the id: the filters' index (`cases_inbox_counts`)
    // holds it, so the scan reads no table row.
    let beyond: Option<String> = matching(search, Filters::Indexed)
        .select(cases::case_status_code)
        .limit(1)
        .offset(search.count_up_to)
        .first(conn)
        .optional()?;
    if beyond.is_some() {
        return Ok((search.count_up_to, true));
    }
    Ok((
        matching(search, Filters::Indexed)
            .count()
            .get_result(conn)?,
        false,
    ))
}
