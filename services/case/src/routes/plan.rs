//! The plan of a customer batch (`addCustomer`, `removeCustomer`): each
//! case of the request with each of its customers, parsed on their own,
//! then settled step by step until every customer has an outcome.

use crate::error::EcmError;
use crate::rows::CaseRow;
use crate::status;
use crate::wire::batch::CaseCustomers;
use crate::wire::envelope::{Outcome, NO_SUCH_CASE};
use crate::wire::request::{parse_items, take_objects, text_of};
use diesel::{Connection, QueryResult};
use serde_json::Value;
use service_kit::DbConnection;
use std::collections::HashMap;

/// The most customers committed together (see [`CasePlan::apply`]): it
/// bounds how long one request holds the write lock.
pub const GROUP: usize = 100;

/// The message for a customer change on a closed case.
pub const CASE_CLOSED: &str = "Case is closed.";

/// A customer not yet settled (`T`, what is to be done), or its outcome.
#[derive(Debug)]
pub enum Pending<T> {
    /// Still to be done.
    Ready(T),
    /// Settled.
    Done(Outcome),
}

/// One case of the request.
#[derive(Debug)]
pub struct CasePlan<T> {
    /// The case id as sent.
    pub case_id: String,
    /// Set when the case as a whole failed.
    pub case_failure: Option<Outcome>,
    /// Each customer: its id as sent, and what is pending for it.
    pub customers: Vec<(Option<String>, Pending<T>)>,
}

/// Reads a batch body into plans, parsing each customer with `parse`. A
/// body that is not the documented shape, or carries more than `max`
/// customers, is refused as a whole.
pub fn plan<T>(
    body: &[u8],
    max: usize,
    parse: impl Fn(&Value) -> Result<T, String>,
) -> Result<Vec<CasePlan<T>>, EcmError> {
    let mut items = parse_items(body, &["caseId", "customers"])?;
    let lists = items
        .iter_mut()
        .map(|item| take_objects(&mut item.fields, "customers"))
        .collect::<Result<Vec<_>, _>>()?;
    let total: usize = lists.iter().map(Vec::len).sum();
    if total > max {
        return Err(EcmError::TooLarge(format!(
            "The request carries {total} customers; at most {max} are accepted per request."
        )));
    }
    Ok(items
        .into_iter()
        .zip(lists)
        .map(|(item, customers)| {
            let customers: Vec<_> = customers
                .iter()
                .map(|value| {
                    let pending = match parse(value) {
                        Ok(parsed) => Pending::Ready(parsed),
                        Err(message) => Pending::Done(Outcome::refused(message)),
                    };
                    (text_of(value, "customerId"), pending)
                })
                .collect();
            let case_failure = customers
                .is_empty()
                .then(|| Outcome::refused("Input JSON data does not have customers."));
            CasePlan {
                case_id: item.case_id,
                case_failure,
                customers,
            }
        })
        .collect())
}

impl<T> CasePlan<T> {
    /// Settles every pending customer of a case that does not exist or is
    /// closed, given the cases that exist.
    pub fn settle_case(&mut self, found: &HashMap<String, CaseRow>) {
        let failure = match found.get(&self.case_id) {
            None => NO_SUCH_CASE,
            Some(case) if status::by_code(&case.case_status_code).is_some_and(|s| s.closed) => {
                CASE_CLOSED
            }
            Some(_) => return,
        };
        self.case_failure = Some(Outcome::refused(failure));
        for (_, pending) in &mut self.customers {
            if let Pending::Ready(_) = pending {
                *pending = Pending::Done(Outcome::refused(failure));
            }
        }
    }

    /// Settles each pending customer with `apply`, which runs the
    /// customer's own transaction. Customers are committed in groups of up
    /// to [`GROUP`]: each customer's transaction is then a savepoint, so it
    /// still stands or falls alone, but one commit serves the group (a
    /// commit costs more than a customer's inserts). A failed statement
    /// settles its customer alone as an internal error; a failed commit,
    /// the whole group.
    pub fn apply(
        &mut self,
        conn: &mut DbConnection,
        operation: &'static str,
        mut apply: impl FnMut(&mut DbConnection, &str, &T) -> QueryResult<Outcome>,
    ) {
        let ready: Vec<usize> = (0..self.customers.len())
            .filter(|&i| matches!(self.customers[i].1, Pending::Ready(_)))
            .collect();
        for group in ready.chunks(GROUP) {
            let (case_id, customers) = (&self.case_id, &self.customers);
            let committed = conn.transaction(|conn| {
                let outcomes = group.iter().map(|&index| {
                    let Pending::Ready(item) = &customers[index].1 else {
                        return Outcome::internal();
                    };
                    apply(conn, case_id, item).unwrap_or_else(|e| {
                        tracing::error!(%case_id, index, operation, error = %e, "a customer failed");
                        Outcome::internal()
                    })
                });
                QueryResult::Ok(outcomes.collect::<Vec<_>>())
            });
            let outcomes = committed.unwrap_or_else(|e| {
                tracing::error!(case_id = %self.case_id, customers = group.len(), operation, error = %e, "a commit failed");
                vec![Outcome::internal(); group.len()]
            });
            for (&index, outcome) in group.iter().zip(outcomes) {
                self.customers[index].1 = Pending::Done(outcome);
            }
        }
    }

    /// The pending customers, with their case id.
    pub fn ready(&self) -> impl Iterator<Item = (&str, &T)> {
        self.customers.iter().filter_map(|(_, p)| match p {
            Pending::Ready(t) => Some((self.case_id.as_str(), t)),
            Pending::Done(_) => None,
        })
    }

    /// The result of a fully settled case.
    pub fn into_result(self) -> CaseCustomers {
        CaseCustomers {
            case_id: self.case_id,
            case_failure: self.case_failure,
            customers: self
                .customers
                .into_iter()
                .map(|(id, pending)| match pending {
                    Pending::Done(outcome) => (id, outcome),
                    Pending::Ready(_) => (id, Outcome::internal()),
                })
                .collect(),
        }
    }
}

/// The distinct case ids of the plans.
pub fn case_ids<T>(plans: &[CasePlan<T>]) -> Vec<String> {
    let mut ids: Vec<String> = plans.iter().map(|p| p.case_id.clone()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}
