//! The batch operations on a case's customers, and the answers of every
//! batch operation: a roll-up over cases, each (for the customer
//! operations) a roll-up over its customers.

use super::customer::Customer;
use super::envelope::{http_status, rollup, Messages, Outcome, Status};
use super::values::Id;
use actix_web::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An item of `addCustomer`: a case and the customers to add to it, and no
/// other key.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaseCustomersInput {
    /// The case.
    #[schema(example = "CA100")]
    pub case_id: String,
    /// The customers to add: at least one (a case with none fails).
    #[schema(min_items = 1)]
    pub customers: Vec<Customer>,
}

/// An item of `removeCustomer`: a case and the customers to remove from
/// it, and no other key.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaseCustomerRefsInput {
    /// The case.
    #[schema(example = "CA100")]
    pub case_id: String,
    /// The customers to remove: at least one (a case with none fails).
    #[schema(value_type = Vec<CustomerRef>, min_items = 1)]
    pub customers: Vec<String>,
}

/// A customer of `removeCustomer`: its id, nothing else.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerRef {
    /// The customer to remove.
    pub customer_id: Id,
}

/// What became of one customer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CustomerResult {
    /// What happened to it.
    #[serde(rename = "MESSAGE")]
    #[schema(example = "Customer added successfully.")]
    pub message: String,
    /// `SUCCESS` or `FAILED`.
    #[serde(rename = "STATUS")]
    pub status: Status,
    /// The customer id as sent (`null` when none was).
    #[serde(rename = "customerId")]
    #[schema(example = "CUST123")]
    pub customer_id: Option<String>,
}

/// What became of one case's customers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseCustomersResult {
    /// The case's roll-up message, or "Case does not exist.".
    #[serde(rename = "MESSAGE")]
    #[schema(example = "Customers addition was successful.")]
    pub message: String,
    /// The roll-up of its customers.
    #[serde(rename = "STATUS")]
    pub status: Status,
    /// The case id as sent.
    #[serde(rename = "caseId")]
    #[schema(example = "CA100")]
    pub case_id: String,
    /// Its customers, in request order.
    pub customers: Vec<CustomerResult>,
}

/// The answer of `addCustomer` and `removeCustomer`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CustomersResponse {
    /// The roll-up message.
    #[serde(rename = "MESSAGE")]
    #[schema(example = "Customers addition was successful.")]
    pub message: String,
    /// The roll-up of the cases.
    #[serde(rename = "STATUS")]
    pub status: Status,
    /// The cases, in request order.
    #[serde(rename = "RESULTARRAY")]
    pub results: Vec<CaseCustomersResult>,
}

/// One case of a customer operation, before the roll-up.
#[derive(Debug, Clone)]
pub struct CaseCustomers {
    /// The case id as sent.
    pub case_id: String,
    /// Set when the case as a whole failed ("Case does not exist.").
    pub case_failure: Option<Outcome>,
    /// Each customer's id as sent and its outcome.
    pub customers: Vec<(Option<String>, Outcome)>,
}

/// Rolls customer outcomes up into the answer and its HTTP status.
pub fn customers_response(
    messages: Messages,
    cases: Vec<CaseCustomers>,
) -> (StatusCode, CustomersResponse) {
    let faults: Vec<_> = cases
        .iter()
        .flat_map(|c| c.customers.iter().filter_map(|(_, o)| o.fault))
        .chain(cases.iter().filter_map(|c| c.case_failure.as_ref()?.fault))
        .collect();
    let results: Vec<CaseCustomersResult> = cases
        .into_iter()
        .map(|case| {
            let (status, message) = match case.case_failure {
                Some(failure) => (Status::Failed, failure.message),
                None => {
                    let status = rollup(case.customers.iter().map(|(_, o)| o.status()));
                    (status, messages.of(status).to_owned())
                }
            };
            CaseCustomersResult {
                message,
                status,
                case_id: case.case_id,
                customers: case
                    .customers
                    .into_iter()
                    .map(|(customer_id, outcome)| CustomerResult {
                        status: outcome.status(),
                        message: outcome.message,
                        customer_id,
                    })
                    .collect(),
            }
        })
        .collect();
    let status = rollup(results.iter().map(|r| r.status));
    let response = CustomersResponse {
        message: messages.of(status).to_owned(),
        status,
        results,
    };
    (http_status(status, faults), response)
}

/// What became of one case of a case operation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseResult {
    /// What happened to it.
    #[serde(rename = "MESSAGE")]
    #[schema(example = "Case created successfully.")]
    pub message: String,
    /// `SUCCESS` or `FAILED`.
    #[serde(rename = "STATUS")]
    pub status: Status,
    /// The case id as sent.
    #[serde(rename = "caseId")]
    #[schema(example = "CA100")]
    pub case_id: String,
}

/// The answer of `createCase` and `updateCaseStatus`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CasesResponse {
    /// The roll-up message.
    #[serde(rename = "MESSAGE")]
    #[schema(example = "Cases creation was successful.")]
    pub message: String,
    /// The roll-up of the cases.
    #[serde(rename = "STATUS")]
    pub status: Status,
    /// The cases, in request order.
    #[serde(rename = "RESULTARRAY")]
    pub results: Vec<CaseResult>,
}

/// Rolls case outcomes up into the answer and its HTTP status.
pub fn cases_response(
    messages: Messages,
    cases: Vec<(String, Outcome)>,
) -> (StatusCode, CasesResponse) {
    let status = rollup(cases.iter().map(|(_, o)| o.status()));
    let faults: Vec<_> = cases.iter().filter_map(|(_, o)| o.fault).collect();
    let results = cases
        .into_iter()
        .map(|(case_id, outcome)| CaseResult {
            status: outcome.status(),
            message: outcome.message,
            case_id,
        })
        .collect();
    let response = CasesResponse {
        message: messages.of(status).to_owned(),
        status,
        results,
    };
    (http_status(status, faults), response)
}
