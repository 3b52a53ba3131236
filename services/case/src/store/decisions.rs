//! Decisions on a case's events (`updateEventRiskDecision`): one event at
//! a time, in its own transaction, with its audit record.

use super::audit::{self, Action, Change};
use super::locks::{self, Locked};
use crate::schema::events;
use crate::wire::decisions::EventDecision;
use diesel::prelude::*;
use service_kit::db::write_transaction;
use service_kit::DbConnection;

/// Records `decision` on its event of `case_id`; `false` when the case has
/// no such event (with the type code and data origin sent, if any).
/// Refused while another user holds the case's lock. The audit record has
/// the decision code before and after.
pub fn decide(
    conn: &mut DbConnection,
    case_id: &str,
    decision: &EventDecision,
    change: &Change,
) -> QueryResult<Result<bool, Locked>> {
    write_transaction(conn, |conn| {
        if let Err(locked) = locks::ensure_writable(conn, case_id, change)? {
            return Ok(Err(locked));
        }
        let code = decision.event_code.as_str();
        let mut target = events::table
            .filter(events::event_code.eq(code))
            .filter(events::case_id.eq(case_id))
            .select(events::event_decision_code)
            .into_boxed();
        if let Some(kind) = &decision.event_type_code {
            target = target.filter(events::event_type.eq(kind.as_str()));
        }
        if let Some(origin) = &decision.data_origin {
            target = target.filter(events::data_origin.eq(origin.as_str()));
        }
        let Some(before) = target.first::<Option<i64>>(conn).optional()? else {
            return Ok(Ok(false));
        };
        let after = i64::from(decision.event_decision_code);
        diesel::update(events::table.find(code))
            .set((
                events::event_decision_code.eq(after),
                events::standard_comment_id
                    .eq(decision.standard_comment_id.as_ref().map(|s| s.as_str())),
                events::decision_comments.eq(decision.comments.as_ref().map(|s| s.as_str())),
                events::decided_by.eq(&change.actor),
                events::decided_at.eq(&change.at),
            ))
            .execute(conn)?;
        let mut record = change.record(case_id, Action::EventDecided);
        record.event_code = Some(code.to_owned());
        record.old_value = before.map(|code| code.to_string());
        record.new_value = Some(after.to_string());
        audit::write(conn, &record)?;
        Ok(Ok(true))
    })
}
