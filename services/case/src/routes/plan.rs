//! The plan of a batch on the parts of cases (customers, accounts,
//! external entities, transactions, events): each case of the request with
//! each of its parts, parsed on their own, then settled step by step until
//! every part has an outcome.

use super::body::{parse_items, parse_part, parse_valid_cases, take_objects, text_of};
use super::AppState;
use crate::error::EcmError;
use crate::rows::CaseRow;
use crate::status;
use crate::store::cases;
use crate::wire::batch::CaseParts;
use crate::wire::envelope::{Fault, Outcome, NO_SUCH_CASE};
use diesel::QueryResult;
use serde::de::DeserializeOwned;
use service_kit::db::{write_transaction, GroupFailure};
use service_kit::DbConnection;
use std::collections::HashMap;

/// The most parts committed together (see [`CasePlan::apply`]): it bounds
/// how long one request holds the write lock.
pub const GROUP: usize = 100;

/// The message for a change on a closed case.
pub const CASE_CLOSED: &str = "Case is closed.";

/// A part not yet settled (`T`, what is to be done), or its outcome.
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
    /// Each part: its id as sent, and what is pending for it.
    pub parts: Vec<(Option<String>, Pending<T>)>,
}

/// A part of a case in a batch operation, as its request carries it.
pub trait Part: DeserializeOwned {
    /// The key of a case item's list of parts (`customers`).
    const KEY: &'static str;
    /// The key of a part's id (`customerId`), echoed in the answer.
    const ID: &'static str;

    /// Its id.
    fn id(&self) -> &str;

    /// Why it is refused though it parsed: the rules serde cannot check.
    fn refusal(&self) -> Option<String> {
        None
    }
}

/// Each case of a request, with each of its parts: the id it carries, and
/// the part or why it could not be read.
type Parsed<T> = Vec<(String, Vec<(Option<String>, Result<T, String>)>)>;

/// Reads a batch body into plans. A body that is not the documented shape,
/// or carries more than `max` parts, is refused as a whole; each part is
/// parsed on its own, so a bad one fails alone.
pub fn plan<T: Part>(body: &[u8], max: usize) -> Result<Vec<CasePlan<T>>, EcmError> {
    let cases = match read_at_once::<T>(body) {
        Some(cases) => {
            check_total::<T>(cases.iter().map(|(_, parts)| parts.len()), max)?;
            cases
        }
        None => read_one_by_one(body, max)?,
    };
    Ok(cases
        .into_iter()
        .map(|(case_id, parts)| {
            let parts: Vec<_> = parts
                .into_iter()
                .map(|(id, parsed)| {
                    let pending = match parsed.and_then(|c| c.refusal().map_or(Ok(c), Err)) {
                        Ok(parsed) => Pending::Ready(parsed),
                        Err(message) => Pending::Done(Outcome::refused(message)),
                    };
                    (id, pending)
                })
                .collect();
            let case_failure = parts
                .is_empty()
                .then(|| Outcome::refused(format!("Input JSON data does not have {}.", T::KEY)));
            CasePlan {
                case_id,
                case_failure,
                parts,
            }
        })
        .collect())
}

/// Reads a body whose parts are all valid (the common case) in one pass,
/// straight into `T`s; `None` for any other.
fn read_at_once<T: Part>(body: &[u8]) -> Option<Parsed<T>> {
    let cases = parse_valid_cases::<T>(body, T::KEY)?;
    Some(
        cases
            .into_iter()
            .map(|(case_id, parts)| {
                let parts = parts
                    .into_iter()
                    .map(|p| (Some(p.id().to_owned()), Ok(p)))
                    .collect();
                (case_id, parts)
            })
            .collect(),
    )
}

/// Reads a body as a JSON tree, then each part on its own, so that each
/// bad one is found and named.
fn read_one_by_one<T: Part>(body: &[u8], max: usize) -> Result<Parsed<T>, EcmError> {
    let mut items = parse_items(body, &["caseId", T::KEY])?;
    let lists = items
        .iter_mut()
        .map(|item| take_objects(&mut item.fields, T::KEY))
        .collect::<Result<Vec<_>, _>>()?;
    check_total::<T>(lists.iter().map(Vec::len), max)?;
    Ok(items
        .into_iter()
        .zip(lists)
        .map(|(item, values)| {
            let parts = values
                .iter()
                .map(|value| (text_of(value, T::ID), parse_part(value)))
                .collect();
            (item.case_id, parts)
        })
        .collect())
}

/// Refuses a request whose cases carry more than `max` parts in all.
fn check_total<T: Part>(counts: impl Iterator<Item = usize>, max: usize) -> Result<(), EcmError> {
    let total: usize = counts.sum();
    if total > max {
        return Err(EcmError::TooLarge(format!(
            "The request carries {total} {key}; at most {max} are accepted per request.",
            key = T::KEY
        )));
    }
    Ok(())
}

impl<T> CasePlan<T> {
    /// Settles every pending part of a case that does not exist or is
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
        for (_, pending) in &mut self.parts {
            if let Pending::Ready(_) = pending {
                *pending = Pending::Done(Outcome::refused(failure));
            }
        }
    }

    /// Settles each pending part with `apply`, which runs the part's own
    /// transaction. Parts are committed in groups of up to [`GROUP`]: each
    /// part's transaction is then a savepoint, so it
    /// still stands or falls alone, but one commit serves the group (a
    /// commit costs more than a part's inserts). A failed statement
    /// settles its part alone as an internal error; a failed commit,
    /// the whole group.
    pub fn apply(
        &mut self,
        conn: &mut DbConnection,
        operation: &'static str,
        mut apply: impl FnMut(&mut DbConnection, &str, &T) -> QueryResult<Outcome>,
    ) {
        for group in self.groups() {
            let outcomes = self.each(conn, &group, operation, &mut apply);
            self.settle(&group, outcomes);
        }
    }

    /// The indexes of the pending parts, in groups of up to [`GROUP`].
    fn groups(&self) -> Vec<Vec<usize>> {
        let ready: Vec<usize> = (0..self.parts.len())
            .filter(|&i| matches!(self.parts[i].1, Pending::Ready(_)))
            .collect();
        ready.chunks(GROUP).map(<[usize]>::to_vec).collect()
    }

    /// The outcomes of the parts at `group`, each settled by `apply` in a
    /// savepoint, with one commit for all.
    fn each(
        &self,
        conn: &mut DbConnection,
        group: &[usize],
        operation: &'static str,
        apply: &mut impl FnMut(&mut DbConnection, &str, &T) -> QueryResult<Outcome>,
    ) -> Vec<Outcome> {
        let (case_id, parts) = (&self.case_id, &self.parts);
        let committed = write_transaction(conn, |conn| {
            let outcomes = group.iter().map(|&index| {
                let Pending::Ready(item) = &parts[index].1 else {
                    return Outcome::internal();
                };
                apply(conn, case_id, item).unwrap_or_else(|e| {
                    tracing::error!(%case_id, index, operation, error = %e, "a part failed");
                    failed_on(&e)
                })
            });
            QueryResult::Ok(outcomes.collect::<Vec<_>>())
        });
        committed.unwrap_or_else(|e| self.commit_failed(group, operation, &e))
    }

    /// The outcomes of the parts at `group` written all at once by `write`
    /// from `prepared`, in one transaction without savepoints. Should a
    /// statement fail, the group is rolled back and its parts are settled
    /// one at a time with `apply` ([`each`](Self::each)).
    fn all_at_once<P>(
        &self,
        conn: &mut DbConnection,
        group: &[usize],
        operation: &'static str,
        prepared: P,
        write: &mut impl FnMut(&mut DbConnection, &str, P) -> QueryResult<Outcome>,
        apply: &mut impl FnMut(&mut DbConnection, &str, &T) -> QueryResult<Outcome>,
    ) -> Vec<Outcome> {
        let case_id = &self.case_id;
        let written = write_transaction(conn, |conn| {
            write(conn, case_id, prepared).map_err(GroupFailure::Statement)
        });
        match written {
            Ok(outcome) => vec![outcome; group.len()],
            Err(GroupFailure::Statement(e)) => {
                tracing::info!(%case_id, parts = group.len(), operation, error = %e, "a group failed as a whole; settling it one part at a time");
                self.each(conn, group, operation, apply)
            }
            Err(GroupFailure::Transaction(e)) => self.commit_failed(group, operation, &e),
        }
    }

    /// The items of the pending parts at `group`.
    fn items(&self, group: &[usize]) -> Vec<&T> {
        group
            .iter()
            .filter_map(|&index| match &self.parts[index].1 {
                Pending::Ready(item) => Some(item),
                Pending::Done(_) => None,
            })
            .collect()
    }

    /// Settles the parts at `group` with `outcomes`.
    fn settle(&mut self, group: &[usize], outcomes: Vec<Outcome>) {
        for (&index, outcome) in group.iter().zip(outcomes) {
            self.parts[index].1 = Pending::Done(outcome);
        }
    }

    /// The outcomes of the parts at `group`, whose commit failed, as the
    /// failure says ([`failed_on`]).
    fn commit_failed(
        &self,
        group: &[usize],
        operation: &'static str,
        e: &diesel::result::Error,
    ) -> Vec<Outcome> {
        tracing::error!(case_id = %self.case_id, parts = group.len(), operation, error = %e, "a commit failed");
        vec![failed_on(e); group.len()]
    }

    /// The pending parts, with their case id.
    pub fn ready(&self) -> impl Iterator<Item = (&str, &T)> {
        self.parts.iter().filter_map(|(_, p)| match p {
            Pending::Ready(t) => Some((self.case_id.as_str(), t)),
            Pending::Done(_) => None,
        })
    }

    /// The result of a fully settled case. A case whose every part met
    /// its lock held by another user failed as a whole on the lock.
    pub fn into_result(self) -> CaseParts {
        let locked = self.parts.iter().all(
            |(_, pending)| matches!(pending, Pending::Done(o) if o.fault == Some(Fault::Locked)),
        );
        let case_failure = match (&self.parts.first(), self.case_failure) {
            (Some((_, Pending::Done(first))), None) if locked => Some(first.clone()),
            (_, failure) => failure,
        };
        CaseParts {
            case_id: self.case_id,
            case_failure,
            parts: self
                .parts
                .into_iter()
                .map(|(id, pending)| match pending {
                    Pending::Done(outcome) => (id, outcome),
                    Pending::Ready(_) => (id, Outcome::internal()),
                })
                .collect(),
        }
    }
}

/// Settles the pending parts of every plan a group of up to [`GROUP`] at a
/// time (additions, whose rows are many and sealed). Each group's rows are
/// made by `prepare`, outside any transaction, and written all at once by
/// `write`, in one transaction without savepoints; every part of the group
/// gets the outcome it returns. Should a statement fail (the same part
/// twice in the request, or added meanwhile by another), the group is
/// rolled back and its parts are settled one at a time with `apply`, so
/// each still stands or falls alone.
///
/// With several groups, a second thread prepares each group while the one
/// before is written, as an import does (`loading`): the service's CPU and
/// the database's work overlap instead of taking turns, and SQLite's
/// writing connection does not wait on the sealing.
pub fn apply_batched<T: Sync, P: Send>(
    plans: &mut [CasePlan<T>],
    conn: &mut DbConnection,
    operation: &'static str,
    prepare: impl Fn(&str, &[&T]) -> P + Sync,
    mut write: impl FnMut(&mut DbConnection, &str, P) -> QueryResult<Outcome>,
    mut apply: impl FnMut(&mut DbConnection, &str, &T) -> QueryResult<Outcome>,
) {
    let groups: Vec<(usize, Vec<usize>)> = plans
        .iter()
        .enumerate()
        .flat_map(|(plan, p)| p.groups().into_iter().map(move |group| (plan, group)))
        .collect();
    let outcomes: Vec<Vec<Outcome>> = {
        let plans = &*plans;
        let prepare_group = |(plan, group): &(usize, Vec<usize>)| {
            let plan = &plans[*plan];
            prepare(&plan.case_id, &plan.items(group))
        };
        let mut write_group = |(plan, group): &(usize, Vec<usize>), prepared| {
            plans[*plan].all_at_once(conn, group, operation, prepared, &mut write, &mut apply)
        };
        if groups.len() < 2 {
            groups
                .iter()
                .map(|g| write_group(g, prepare_group(g)))
                .collect()
        } else {
            let (prepared, ready) = std::sync::mpsc::sync_channel(1);
            std::thread::scope(|scope| {
                let (groups, prepare_group) = (&groups, &prepare_group);
                scope.spawn(move || {
                    for group in groups {
                        if prepared.send(prepare_group(group)).is_err() {
                            return; // The writer stopped.
                        }
                    }
                });
                // A preparing thread that panicked closes the channel; the
                // scope then raises its panic here.
                groups
                    .iter()
                    .map_while(|g| ready.recv().ok().map(|rows| write_group(g, rows)))
                    .collect()
            })
        }
    };
    for ((plan, group), outcomes) in groups.iter().zip(outcomes) {
        plans[*plan].settle(group, outcomes);
    }
}

/// The outcome of a part whose write failed with `e`: unavailable
/// (worth a retry, which is safe: nothing of it was committed) when the
/// database connection was lost, else internal.
fn failed_on(e: &diesel::result::Error) -> Outcome {
    // After a lost connection its transaction cannot be rolled back, and
    // what follows on it fails as a broken transaction manager.
    let lost = matches!(e, diesel::result::Error::BrokenTransactionManager)
        || service_kit::failure::is_connection_lost(e);
    if lost {
        Outcome::unavailable()
    } else {
        Outcome::internal()
    }
}

/// Settles a batch whose parts are written one at a time (removals,
/// decisions): in one go on the database, finds the plans' cases, settles
/// those that do not exist or are closed, then each ready part with
/// `apply` (each part its own transaction, see [`CasePlan::apply`]).
pub async fn settle_each<T: Send + 'static>(
    state: &AppState,
    mut plans: Vec<CasePlan<T>>,
    operation: &'static str,
    mut apply: impl FnMut(&mut DbConnection, &str, &T) -> QueryResult<Outcome> + Send + 'static,
) -> Result<Vec<CasePlan<T>>, EcmError> {
    state
        .db
        .run(move |conn| {
            let ids = case_ids(&plans);
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let found = cases::find_many(conn, &ids)?;
            for plan in &mut plans {
                plan.settle_case(&found);
                plan.apply(conn, operation, &mut apply);
            }
            Ok::<_, EcmError>(plans)
        })
        .await
}

/// The distinct case ids of the plans.
pub fn case_ids<T>(plans: &[CasePlan<T>]) -> Vec<String> {
    let mut ids: Vec<String> = plans.iter().map(|p| p.case_id.clone()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::customer::Customer;
    use serde_json::{json, Value};

    fn body(cases: Value) -> Vec<u8> {
        cases.to_string().into_bytes()
    }

    fn seed_customer(id: &str) -> Value {
        let seed: Value =
            serde_json::from_str(include_str!("../../tests/api/seed_request.json")).expect("seed");
        let mut customer = seed[0]["customers"][0].clone();
        customer["customerId"] = json!(id);
        customer
    }

    #[test]
    fn a_valid_body_reads_the_same_at_once_as_one_by_one() {
        let mut long_list = seed_customer("C3");
        long_list["addresses"] = json!(vec![json!({"city": "Pune"}); 101]);
        for cases in [
            json!([{"caseId": "CA1", "customers": [seed_customer("C1")]}]),
            json!([
                {"customers": [seed_customer("C1"), {"customerId": "C2"}], "caseId": " CA1"},
                {"caseId": "CA2", "customers": [long_list, {"customerId": "C4", "phones": null}]},
                {"caseId": "CA3", "customers": []}
            ]),
        ] {
            let body = body(cases);
            let at_once = read_at_once::<Customer>(&body).expect("read at once");
            assert_eq!(
                Ok(at_once),
                read_one_by_one::<Customer>(&body, 1000).map_err(|e| e.to_string())
            );
        }
    }

    #[test]
    fn anything_else_is_read_one_by_one() {
        let mut bad_date = seed_customer("C2");
        bad_date["dateOfBirth"] = json!("1990-02-30");
        let good = seed_customer("C1");
        for cases in [
            json!([]),
            json!({"caseId": "CA1", "customers": [good]}),
            json!([{"caseId": "CA1", "customers": [good, bad_date]}]),
            json!([{"caseId": "CA1", "customers": [good, ["C2"]]}]),
            json!([["CA1", [good]]]),
            json!([{"caseId": " ", "customers": [good]}]),
            json!([{"caseId": "CA1", "customers": [good], "note": 1}]),
            json!([{"caseId": "CA1"}]),
        ] {
            assert!(
                read_at_once::<Customer>(&body(cases.clone())).is_none(),
                "{cases}"
            );
        }
        // A key twice is not the documented shape: which value counts would
        // be a guess (the tree used to keep the last one silently).
        let twice = br#"[{"caseId": "CA1", "customers": [{"customerId": "C1", "firstName": "A", "firstName": "B"}]}]"#;
        assert!(read_at_once::<Customer>(twice).is_none());
        assert!(matches!(
            read_one_by_one::<Customer>(twice, 1000),
            Err(EcmError::InvalidFormat)
        ));
    }
}
