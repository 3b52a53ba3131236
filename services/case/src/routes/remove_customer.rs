//! `removeCustomer` (ECM guide 4.10): removes customers from cases.

use super::plan::{self, CasePlan, Part};
use super::{read_body, AppState};
use crate::caller::{Access, Caller};
use crate::error::EcmError;
use crate::store::audit::Change;
use crate::store::{cases, customers};
use crate::wire::batch::{customers_response, CustomersResponse};
use crate::wire::envelope::{Envelope, Messages, Outcome};
use crate::wire::values::Id;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

/// The roll-up messages of `removeCustomer`, in the vendor's words.
pub const MESSAGES: Messages = Messages {
    success: "Customers removal was successful.",
    partial: "Customers removal was partially successful.",
    failed: "Customers removal failed.",
};

/// The message of a customer removed.
pub const REMOVED: &str = "Customer removed successfully.";
/// The message of a customer that is not on the case.
pub const NOT_IN_CASE: &str = "Customer does not exist in case.";

/// A customer of `removeCustomer`: its id, nothing else.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerRef {
    /// The customer to remove.
    pub customer_id: Id,
}

impl Part for CustomerRef {
    fn customer_id(&self) -> &str {
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
    request_body(content = Vec<crate::openapi::CaseCustomerRefsInput>, description = "The cases and the customers to remove from each"),
    responses(
        (status = 200, description = "Every customer removed (`SUCCESS`) or some (`PARTIALSUCCESS`)", body = CustomersResponse),
        (status = 400, description = "The body is not the documented shape, or an item has no caseId; with `RESULTARRAY` when every part failed on its input", body = Envelope),
        crate::openapi::ChangeRefusals,
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
    let mut plans = plan::plan::<CustomerRef>(&body, state.max_customers)?;
    let change = Change::now(&caller.subject);
    let plans = state
        .db
        .run(move |conn| {
            let ids = plan::case_ids(&plans);
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let found = cases::find_many(conn, &ids)?;
            for plan in &mut plans {
                plan.settle_case(&found);
                remove(conn, plan, &change);
            }
            Ok::<_, EcmError>(plans)
        })
        .await?;
    let (status, response) = customers_response(
        MESSAGES,
        plans.into_iter().map(CasePlan::into_result).collect(),
    );
    tracing::info!(cases = response.results.len(), "customers removed");
    Ok(HttpResponse::build(status).json(response))
}

/// Removes each ready customer of a case, one transaction each.
fn remove(conn: &mut service_kit::DbConnection, plan: &mut CasePlan<CustomerRef>, change: &Change) {
    plan.apply(conn, "removeCustomer", |conn, case_id, customer| {
        let removed = customers::remove(conn, case_id, customer.customer_id.as_str(), change)?;
        Ok(if removed {
            Outcome::done(REMOVED)
        } else {
            Outcome::refused(NOT_IN_CASE)
        })
    });
}
