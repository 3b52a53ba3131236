//! Suppression rules: created pending, approved or rejected once, listed
//! with filters, and matched against an event being promoted.

use super::Page;
use crate::rows::events::{NewRuleRow, RuleRow, APPROVED, PENDING};
use crate::schema::suppression_rules as rules;
use diesel::prelude::*;
use service_kit::db::write_transaction;
use service_kit::DbConnection;

/// The approved rule of `customer_id` for one of `scenarios` in force on
/// `today` (`YYYY-MM-DD`), the oldest if several.
pub fn matching(
    conn: &mut DbConnection,
    customer_id: &str,
    scenarios: &[&str],
    today: &str,
) -> QueryResult<Option<i64>> {
    if scenarios.is_empty() {
        return Ok(None);
    }
    rules::table
        .filter(rules::customer_id.eq(customer_id))
        .filter(rules::scenario.eq_any(scenarios))
        .filter(rules::status_code.eq(APPROVED))
        .filter(rules::expires_on.ge(today))
        .order(rules::id.asc())
        .select(rules::id)
        .first(conn)
        .optional()
}

/// Creates a rule; it is read back as created.
pub fn insert(conn: &mut DbConnection, row: &NewRuleRow) -> QueryResult<RuleRow> {
    write_transaction(conn, |conn| {
        diesel::insert_into(rules::table)
            .values(row)
            .execute(conn)?;
        // The newest rule of its creator at its own instant is this one:
        // one connection, one transaction.
        rules::table
            .filter(rules::created_by.eq(&row.created_by))
            .filter(rules::created_at.eq(&row.created_at))
            .order(rules::id.desc())
            .select(RuleRow::as_select())
            .first(conn)
    })
}

/// The rule `id`, if it exists.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<RuleRow>> {
    rules::table
        .find(id)
        .select(RuleRow::as_select())
        .first(conn)
        .optional()
}

/// What became of a decision.
#[derive(Debug)]
pub enum Decided {
    /// Decided: the rule as it now is.
    Done(RuleRow),
    /// No such rule.
    Unknown,
    /// The decider created the rule.
    OwnRule,
    /// Already decided.
    NotPending(RuleRow),
}

/// Sets a pending rule to `to` (`SUPAPP` or `SUPREJ`) by `actor`, not its
/// creator, at `at` (RFC 3339); approval makes it effective that day.
pub fn decide(
    conn: &mut DbConnection,
    id: i64,
    to: &str,
    actor: &str,
    at: &str,
) -> QueryResult<Decided> {
    write_transaction(conn, |conn| {
        let Some(rule) = find(conn, id)? else {
            return Ok(Decided::Unknown);
        };
        if rule.created_by == actor {
            return Ok(Decided::OwnRule);
        }
        let effective = (to == APPROVED).then(|| at.get(..10).unwrap_or(at).to_owned());
        let changed = diesel::update(rules::table.find(id).filter(rules::status_code.eq(PENDING)))
            .set((
                rules::status_code.eq(to),
                rules::decided_by.eq(actor),
                rules::decided_at.eq(at),
                rules::effective_on.eq(effective),
            ))
            .execute(conn)?;
        let now = find(conn, id)?.unwrap_or(rule);
        Ok(if changed == 1 {
            Decided::Done(now)
        } else {
            Decided::NotPending(now)
        })
    })
}

/// The filters of a listing, as stored values.
#[derive(Debug, Default)]
pub struct Filter {
    /// Business domain.
    pub domain: Option<String>,
    /// Any of these jurisdictions.
    pub jurisdictions: Option<Vec<String>>,
    /// Created on or after (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Created before (`YYYY-MM-DD` of the day after the last).
    pub until: Option<String>,
}

/// Up to `limit` rules matching `filter` after `after`, by id.
pub fn page(
    conn: &mut DbConnection,
    filter: &Filter,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Page<RuleRow>> {
    let mut query = rules::table
        .order(rules::id.asc())
        .limit(limit + 1)
        .select(RuleRow::as_select())
        .into_boxed();
    if let Some(domain) = &filter.domain {
        query = query.filter(rules::domain.eq(domain.clone()));
    }
    if let Some(list) = &filter.jurisdictions {
        query = query.filter(rules::jurisdiction.eq_any(list.clone()));
    }
    if let Some(from) = &filter.from {
        query = query.filter(rules::created_at.ge(from.clone()));
    }
    if let Some(until) = &filter.until {
        query = query.filter(rules::created_at.lt(until.clone()));
    }
    if let Some(after) = after {
        query = query.filter(rules::id.gt(after));
    }
    Ok(Page::of(query.load(conn)?, limit))
}
