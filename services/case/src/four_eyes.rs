//! Four eyes (issue 15): closing a risky case as approved or rejected
//! takes two case workers. When `CASE_FOUR_EYES_RISK_THRESHOLD` is set and
//! a case's effective risk (its customers' highest `effectiveRisk`) is at
//! least it, `updateCaseStatus` to `APR` or `REJ` needs an open
//! recommendation of that status (`recommendCaseStatus`) by someone else
//! than the caller. Below the threshold, or with it unset, a status is set
//! as before. The check sits around the status change, in its
//! transaction, so that the recommendation read is the one approved.

use crate::status;
use crate::store::audit::Change;
use crate::store::cases::StatusSet;
use crate::store::{locks, recommendations, Write};
use crate::wire::values::Number;
use diesel::QueryResult;
use rust_decimal::Decimal;
use service_kit::db::write_transaction;
use service_kit::DbConnection;

/// The refusal of a guarded status without an open recommendation of it.
pub const NEEDS_RECOMMENDATION: &str =
    "Case needs a second analyst's approval: recommend the status first.";

/// The refusal of a guarded status set by its recommender.
pub const OWN_RECOMMENDATION: &str = "The recommender cannot approve their own recommendation.";

/// The statuses four eyes guards, and that may be recommended.
pub const GUARDED: [&str; 2] = [status::APPROVED.code, status::REJECTED.code];

/// The rule: from which effective risk on a closing needs four eyes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FourEyes {
    threshold: Option<Decimal>,
}

impl FourEyes {
    /// The rule with `threshold` (`None`: four eyes off).
    pub fn new(threshold: Option<Decimal>) -> Self {
        Self { threshold }
    }

    /// Whether closing a case of effective risk `risk` needs four eyes: a
    /// case none of whose customers has a risk does not.
    pub fn required(&self, risk: Option<&Number>) -> bool {
        match (self.threshold, risk) {
            (Some(threshold), Some(risk)) => *risk.as_decimal() >= threshold,
            _ => false,
        }
    }
}

/// Sets `case_id`'s status to `to` with `set` (the status change itself)
/// when four eyes allows it, in one transaction: refused (`Err` with why)
/// when `to` is guarded and the case's risk needs four eyes, unless an
/// open recommendation of `to` by someone else than the caller exists.
/// Once a closed status is set, the open recommendation is closed
/// (`recommendations::close_on_status`). Refused first while another user
/// holds the case's lock, as every write.
pub fn set_status(
    conn: &mut DbConnection,
    rule: FourEyes,
    case_id: &str,
    to: &str,
    change: &Change,
    set: impl FnOnce(&mut DbConnection) -> QueryResult<Write<StatusSet>>,
) -> QueryResult<Write<Result<StatusSet, &'static str>>> {
    let closing = status::by_code(to).is_some_and(|s| s.closed);
    if !closing {
        return Ok(accepted(set(conn)?));
    }
    write_transaction(conn, |conn| {
        if let Err(locked) = locks::ensure_writable(conn, case_id, change)? {
            return Ok(Write::Locked(locked));
        }
        if GUARDED.contains(&to)
            && rule.required(recommendations::effective_risk(conn, case_id)?.as_ref())
        {
            match recommendations::open(conn, case_id)? {
                Some(open) if open.status_code == to => {
                    if open.recommended_by == change.actor {
                        return Ok(Write::Done(Err(OWN_RECOMMENDATION)));
                    }
                }
                _ => return Ok(Write::Done(Err(NEEDS_RECOMMENDATION))),
            }
        }
        let written = set(conn)?;
        if written == Write::Done(StatusSet::Changed) {
            recommendations::close_on_status(conn, case_id, to, change)?;
        }
        Ok(accepted(written))
    })
}

/// A status change four eyes let through, as it went.
fn accepted(written: Write<StatusSet>) -> Write<Result<StatusSet, &'static str>> {
    match written {
        Write::Done(set) => Write::Done(Ok(set)),
        Write::NoSuchCase => Write::NoSuchCase,
        Write::Locked(locked) => Write::Locked(locked),
    }
}
