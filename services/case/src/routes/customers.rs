//! The customers of cases: `addCustomer` (ECM guide 4.8) adds customers to
//! existing cases, `removeCustomer` (4.10) removes them.

use super::body::{invalid, read_body};
use super::plan::{self, CasePlan, Part, Pending};
use super::AppState;
use crate::business::{self, Lookup};
use crate::caller::{Access, Caller};
use crate::error::EcmError;
use crate::store::audit::Change;
use crate::store::cases;
use crate::store::customers::{self, AddOutcome};
use crate::wire::batch::{parts_response, CustomerRef, CustomersResponse};
use crate::wire::customer::Customer;
use crate::wire::envelope::{Envelope, Messages, Outcome, NO_SUCH_CASE};
use actix_web::{web, HttpRequest, HttpResponse};
use service_kit::Keyring;
use std::collections::HashSet;

/// The roll-up messages of `addCustomer`, in the vendor's words.
pub const ADDITION: Messages = Messages {
    success: "Customers addition was successful.",
    partial: "Customers addition was partially successful.",
    failed: "Customers addition failed.",
};

/// The message of a customer added.
pub const ADDED: &str = "Customer added successfully.";
/// The message of a customer already on the case.
pub const ALREADY_EXISTS: &str = "Customer already exists.";
/// The message of a `businessAdd: "Y"` customer party-service does not know.
pub const NOT_IN_BUSINESS: &str = "Customer does not exist in business.";

impl Part for Customer {
    const KEY: &'static str = "customers";
    const ID: &'static str = "customerId";

    fn id(&self) -> &str {
        self.customer_id.as_str()
    }

    fn refusal(&self) -> Option<String> {
        self.violation()
            .map(|(field, message)| invalid(&field, &message))
    }
}

/// Add customers to cases.
///
/// An array of `{caseId, customers}`. Each customer is added on its own,
/// all or nothing; the answer says what became of each, and rolls that up
/// per case and overall (`SUCCESS`, `PARTIALSUCCESS` or `FAILED`).
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/addCustomer", tag = "ECM",
    request_body(content = Vec<crate::wire::batch::CaseCustomersInput>, description = "The cases and the customers to add to each"),
    responses(
        (status = 200, description = "Every customer added (`SUCCESS`) or some (`PARTIALSUCCESS`)", body = CustomersResponse),
        (status = 400, description = "The body is not the documented shape, or an item has no caseId; with `RESULTARRAY` when every part failed on its input", body = Envelope),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn add_customer(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    caller.require(Access::Write)?;
    let body = read_body(&req, payload, &state).await?;
    let mut plans = plan::plan::<Customer>(&body, state.max_customers)?;

    // One read for the request: which cases exist, which customers are on them.
    let ids = plan::case_ids(&plans);
    let pairs: Vec<(String, String)> = plans
        .iter()
        .flat_map(|p| p.ready())
        .map(|(case, c)| (case.to_owned(), c.customer_id.as_str().to_owned()))
        .collect();
    let (found, existing) = state
        .db
        .run(move |conn| {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let pairs: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            Ok::<_, EcmError>((
                cases::find_many(conn, &ids)?,
                customers::existing(conn, &pairs)?,
            ))
        })
        .await?;
    for plan in &mut plans {
        plan.settle_case(&found);
        settle_existing(plan, &existing);
    }
    resolve_business(&mut plans, &state).await;

    let change = Change::now(&caller.subject);
    let keyring = state.keyring.clone();
    let plans = state
        .db
        .run(move |conn| {
            write(conn, &keyring, &mut plans, &change);
            Ok::<_, EcmError>(plans)
        })
        .await?;
    let (status, response): (_, CustomersResponse) = parts_response(
        ADDITION,
        plans.into_iter().map(CasePlan::into_result).collect(),
    );
    let added = response
        .results
        .iter()
        .flat_map(|r| &r.parts)
        .filter(|c| c.message == ADDED)
        .count();
    tracing::info!(cases = response.results.len(), added, "customers added");
    Ok(HttpResponse::build(status).json(response))
}

/// Settles the customers already on their case.
fn settle_existing(plan: &mut CasePlan<Customer>, existing: &HashSet<(String, String)>) {
    for (_, pending) in &mut plan.parts {
        if let Pending::Ready(c) = pending {
            if existing.contains(&(plan.case_id.clone(), c.customer_id.as_str().to_owned())) {
                *pending = Pending::Done(Outcome::refused(ALREADY_EXISTS));
            }
        }
    }
}

/// Looks the `businessAdd: "Y"` customers up in party-service, filling
/// their details, or settles them when unknown or not reachable.
async fn resolve_business(plans: &mut [CasePlan<Customer>], state: &AppState) {
    let from_business = |c: &Customer| c.business_add.is_some_and(|b| b.is_yes());
    let mut ids: Vec<String> = plans
        .iter()
        .flat_map(|p| p.ready())
        .filter(|(_, c)| from_business(c))
        .map(|(_, c)| c.customer_id.as_str().to_owned())
        .collect();
    if ids.is_empty() {
        return;
    }
    ids.sort_unstable();
    ids.dedup();
    let found = business::look_up(&state.party, ids).await;
    for plan in plans {
        for (_, pending) in &mut plan.parts {
            let Pending::Ready(c) = pending else { continue };
            if !from_business(c) {
                continue;
            }
            match found.get(c.customer_id.as_str()) {
                Some(Lookup::Found(party)) => business::fill_from(c, party),
                Some(Lookup::Unavailable) => *pending = Pending::Done(Outcome::unavailable()),
                Some(Lookup::Unknown) | None => {
                    *pending = Pending::Done(Outcome::refused(NOT_IN_BUSINESS))
                }
            }
        }
    }
}

/// Adds the ready customers of every case: a group at a time, or one
/// transaction each when a group fails as a whole.
fn write(
    conn: &mut service_kit::DbConnection,
    keyring: &Keyring,
    plans: &mut [CasePlan<Customer>],
    change: &Change,
) {
    plan::apply_batched(
        plans,
        conn,
        "addCustomer",
        |case_id, group| customers::Rows::of(keyring, case_id, group, change),
        |conn, case_id, rows| {
            Ok(match customers::add_all(conn, case_id, &rows, change)? {
                Ok(()) => Outcome::done(ADDED),
                Err(locked) => Outcome::locked(&locked.holder),
            })
        },
        |conn, case_id, customer| {
            Ok(
                match customers::add(conn, keyring, case_id, customer, change)? {
                    AddOutcome::Added => Outcome::done(ADDED),
                    AddOutcome::AlreadyExists => Outcome::refused(ALREADY_EXISTS),
                    AddOutcome::NoSuchCase => Outcome::refused(NO_SUCH_CASE),
                    AddOutcome::Locked(locked) => Outcome::locked(&locked.holder),
                },
            )
        },
    );
}

/// The roll-up messages of `removeCustomer`, in the vendor's words.
pub const REMOVAL: Messages = Messages {
    success: "Customers removal was successful.",
    partial: "Customers removal was partially successful.",
    failed: "Customers removal failed.",
};

/// The message of a customer removed.
pub const REMOVED: &str = "Customer removed successfully.";
/// The message of a customer that is not on the case.
pub const NOT_IN_CASE: &str = "Customer does not exist in case.";

impl Part for CustomerRef {
    const KEY: &'static str = "customers";
    const ID: &'static str = "customerId";

    fn id(&self) -> &str {
        self.customer_id.as_str()
    }
}

/// Remove customers from cases.
///
/// An array of `{caseId, customers: [{customerId}]}`. Each customer is
/// removed on its own with every row stored for it; the audit trail keeps
/// the record of it.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/removeCustomer", tag = "ECM",
    request_body(content = Vec<crate::wire::batch::CaseCustomerRefsInput>, description = "The cases and the customers to remove from each"),
    responses(
        (status = 200, description = "Every customer removed (`SUCCESS`) or some (`PARTIALSUCCESS`)", body = CustomersResponse),
        (status = 400, description = "The body is not the documented shape, or an item has no caseId; with `RESULTARRAY` when every part failed on its input", body = Envelope),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn remove_customer(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    caller.require(Access::Write)?;
    let body = read_body(&req, payload, &state).await?;
    let plans = plan::plan::<CustomerRef>(&body, state.max_customers)?;
    let change = Change::now(&caller.subject);
    let keyring = state.keyring.clone();
    let plans = plan::settle_each(&state, plans, "removeCustomer", move |conn, case_id, c| {
        Ok(
            match customers::remove(conn, &keyring, case_id, c.customer_id.as_str(), &change)? {
                Ok(true) => Outcome::done(REMOVED),
                Ok(false) => Outcome::refused(NOT_IN_CASE),
                Err(locked) => Outcome::locked(&locked.holder),
            },
        )
    })
    .await?;
    let (status, response): (_, CustomersResponse) = parts_response(
        REMOVAL,
        plans.into_iter().map(CasePlan::into_result).collect(),
    );
    tracing::info!(cases = response.results.len(), "customers removed");
    Ok(HttpResponse::build(status).json(response))
}
