//! Four eyes' records: a case's open recommendation of its closing status,
//! made, replaced and closed; and the case's effective risk, which says
//! whether its closing needs one.

use super::audit::{self, Action, Change};
use super::cases;
use super::locks;
use super::Write;
use crate::rows::decimal::StoredNumber;
use crate::rows::recommendation::RecommendationRow;
use crate::schema::{case_customers, case_recommendations};
use crate::status;
use crate::wire::values::Number;
use diesel::prelude::*;
use service_kit::db::write_transaction;
use service_kit::{DbConnection, Keyring};

/// What became of a recommendation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recommended {
    /// Recorded (replacing the open one, if any) and audited.
    Made,
    /// The case is closed already: nothing to recommend.
    CaseClosed,
}

/// The open recommendation of `case_id`, if any.
pub fn open(conn: &mut DbConnection, case_id: &str) -> QueryResult<Option<RecommendationRow>> {
    case_recommendations::table
        .find(case_id)
        .select(RecommendationRow::as_select())
        .first(conn)
        .optional()
}

/// Recommends `status_code` for `case_id` with `comment`, replacing its
/// open recommendation, and records it (`statusRecommended`: the codes
/// before and after as the statuses, the comments as the values, sealed),
/// in one transaction. Refused while another user holds the case's lock.
pub fn recommend(
    conn: &mut DbConnection,
    keyring: &Keyring,
    case_id: &str,
    status_code: &str,
    comment: &str,
    change: &Change,
) -> QueryResult<Write<Recommended>> {
    write_transaction(conn, |conn| {
        if let Err(locked) = locks::ensure_writable(conn, case_id, change)? {
            return Ok(Write::Locked(locked));
        }
        let Some(case) = cases::find(conn, case_id)? else {
            return Ok(Write::NoSuchCase);
        };
        if status::by_code(&case.case_status_code).is_some_and(|s| s.closed) {
            return Ok(Write::Done(Recommended::CaseClosed));
        }
        let replaced = close(conn, case_id)?;
        let old_comment = replaced
            .as_ref()
            .map(|r| r.opened_comment(keyring))
            .transpose()
            .map_err(super::undecodable)?;
        let row = RecommendationRow::of(
            keyring,
            case_id,
            status_code,
            comment,
            &change.actor,
            &change.at,
        );
        diesel::insert_into(case_recommendations::table)
            .values(&row)
            .execute(conn)?;
        let mut record = change.record(case_id, Action::StatusRecommended);
        record.from_status = replaced.map(|r| r.status_code);
        record.to_status = Some(status_code.to_owned());
        audit::write(
            conn,
            &record.sealed(keyring, old_comment.as_deref(), Some(comment)),
        )?;
        Ok(Write::Done(Recommended::Made))
    })
}

/// Closes `case_id`'s open recommendation (deletes it), giving it back.
pub fn close(conn: &mut DbConnection, case_id: &str) -> QueryResult<Option<RecommendationRow>> {
    let found = open(conn, case_id)?;
    if found.is_some() {
        diesel::delete(case_recommendations::table.find(case_id)).execute(conn)?;
    }
    Ok(found)
}

/// The effective risk of `case_id`: the highest effective risk of its
/// customers, compared as decimals (SQLite stores them as text, whose
/// order is not theirs); `None` when none of them has one.
pub fn effective_risk(conn: &mut DbConnection, case_id: &str) -> QueryResult<Option<Number>> {
    let risks: Vec<Option<StoredNumber>> = case_customers::table
        .filter(case_customers::case_id.eq(case_id))
        .filter(case_customers::effective_risk.is_not_null())
        .select(case_customers::effective_risk)
        .load(conn)?;
    Ok(risks
        .into_iter()
        .flatten()
        .map(|StoredNumber(n)| n)
        .max_by(|a, b| a.as_decimal().cmp(b.as_decimal())))
}

/// Closes `case_id`'s open recommendation now that its status was set to
/// the closed status `to`, in the caller's transaction: when `to` is the
/// status recommended and someone other than the recommender set it, the
/// recommendation is approved and recorded (`recommendationApproved`, the
/// recommender before, the approver after). Any other closing drops it
/// (the trail's `statusChanged` tells why).
pub fn close_on_status(
    conn: &mut DbConnection,
    case_id: &str,
    to: &str,
    change: &Change,
) -> QueryResult<()> {
    let Some(closed) = close(conn, case_id)? else {
        return Ok(());
    };
    if closed.status_code == to && closed.recommended_by != change.actor {
        let mut record = change.record(case_id, Action::RecommendationApproved);
        record.to_status = Some(to.to_owned());
        record.old_value = Some(closed.recommended_by);
        record.new_value = Some(change.actor.clone());
        audit::write(conn, &record)?;
    }
    Ok(())
}
