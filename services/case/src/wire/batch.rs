//! The batch operations on a case's customers, and the answers of every
//! batch operation: a roll-up over cases, each (for the customer
//! operations) a roll-up over its customers.

use super::customer::Customer;
use super::decisions::EventDecision;
use super::envelope::{http_status, rollup, Messages, Outcome, Status};
use super::flow::EvidenceDecision;
use super::records::{
    Account, AccountRef, ExternalEntity, ExternalEntityRef, Transaction, TransactionRef,
};
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

/// One case of a batch on parts, before the roll-up.
#[derive(Debug, Clone)]
pub struct CaseParts {
    /// The case id as sent.
    pub case_id: String,
    /// Set when the case as a whole failed ("Case does not exist.").
    pub case_failure: Option<Outcome>,
    /// Each part's id as sent and its outcome.
    pub parts: Vec<(Option<String>, Outcome)>,
}

/// A batch on parts rolled up: the answer, before it takes its operation's
/// wire type (whose keys name the parts: `customers` and `customerId`, ...).
#[derive(Debug, Clone)]
pub struct RolledUp {
    /// The roll-up message.
    pub message: String,
    /// The roll-up of the cases.
    pub status: Status,
    /// Each case: its message, status and id, and each part's outcome.
    pub cases: Vec<RolledCase>,
}

/// One case of a [`RolledUp`].
#[derive(Debug, Clone)]
pub struct RolledCase {
    /// The case's roll-up message, or why it failed as a whole.
    pub message: String,
    /// The roll-up of its parts.
    pub status: Status,
    /// The case id as sent.
    pub case_id: String,
    /// Each part: its message, status and id as sent.
    pub parts: Vec<(String, Status, Option<String>)>,
}

/// Rolls the outcomes of parts up into an operation's answer and its HTTP
/// status.
pub fn parts_response<R: From<RolledUp>>(
    messages: Messages,
    cases: Vec<CaseParts>,
) -> (StatusCode, R) {
    let faults: Vec<_> = cases
        .iter()
        .flat_map(|c| c.parts.iter().filter_map(|(_, o)| o.fault))
        .chain(cases.iter().filter_map(|c| c.case_failure.as_ref()?.fault))
        .collect();
    let cases: Vec<RolledCase> = cases
        .into_iter()
        .map(|case| {
            let (status, message) = match case.case_failure {
                Some(failure) => (Status::Failed, failure.message),
                None => {
                    let status = rollup(case.parts.iter().map(|(_, o)| o.status()));
                    (status, messages.of(status).to_owned())
                }
            };
            RolledCase {
                message,
                status,
                case_id: case.case_id,
                parts: case
                    .parts
                    .into_iter()
                    .map(|(id, outcome)| (outcome.message.clone(), outcome.status(), id))
                    .collect(),
            }
        })
        .collect();
    let status = rollup(cases.iter().map(|c| c.status));
    let rolled = RolledUp {
        message: messages.of(status).to_owned(),
        status,
        cases,
    };
    (http_status(status, faults), R::from(rolled))
}

/// Declares the answer of a batch on parts: the part's result (`MESSAGE`,
/// `STATUS`, its id under `$id`), the case's (its parts under `$key`), and
/// the whole (`RESULTARRAY`), each documented for the OpenAPI document.
macro_rules! parts_answer {
    (
        $response:ident, $case:ident, $part:ident,
        key = $key:tt, id = $id:tt,
        part = $part_doc:tt, case = $case_doc:tt, response = $response_doc:tt,
        example_id = $example_id:tt, example_part = $example_part:tt,
        example = $example:tt $(,)?
    ) => {
        #[doc = $part_doc]
        #[derive(Debug, Clone, Serialize, ToSchema)]
        pub struct $part {
            /// What happened to it.
            #[serde(rename = "MESSAGE")]
            #[schema(example = $example_part)]
            pub message: String,
            /// `SUCCESS` or `FAILED`.
            #[serde(rename = "STATUS")]
            pub status: Status,
            /// Its id as sent (`null` when none was).
            #[serde(rename = $id)]
            #[schema(example = $example_id)]
            pub id: Option<String>,
        }

        #[doc = $case_doc]
        #[derive(Debug, Clone, Serialize, ToSchema)]
        pub struct $case {
            /// The case's roll-up message, or "Case does not exist.".
            #[serde(rename = "MESSAGE")]
            #[schema(example = $example)]
            pub message: String,
            /// The roll-up of its parts.
            #[serde(rename = "STATUS")]
            pub status: Status,
            /// The case id as sent.
            #[serde(rename = "caseId")]
            #[schema(example = "CA100")]
            pub case_id: String,
            /// Its parts, in request order.
            #[serde(rename = $key)]
            pub parts: Vec<$part>,
        }

        #[doc = $response_doc]
        #[derive(Debug, Clone, Serialize, ToSchema)]
        pub struct $response {
            /// The roll-up message.
            #[serde(rename = "MESSAGE")]
            #[schema(example = $example)]
            pub message: String,
            /// The roll-up of the cases.
            #[serde(rename = "STATUS")]
            pub status: Status,
            /// The cases, in request order.
            #[serde(rename = "RESULTARRAY")]
            pub results: Vec<$case>,
        }

        impl From<RolledUp> for $response {
            fn from(rolled: RolledUp) -> Self {
                Self {
                    message: rolled.message,
                    status: rolled.status,
                    results: rolled
                        .cases
                        .into_iter()
                        .map(|case| $case {
                            message: case.message,
                            status: case.status,
                            case_id: case.case_id,
                            parts: case
                                .parts
                                .into_iter()
                                .map(|(message, status, id)| $part {
                                    message,
                                    status,
                                    id,
                                })
                                .collect(),
                        })
                        .collect(),
                }
            }
        }
    };
}

parts_answer!(
    CustomersResponse,
    CaseCustomersResult,
    CustomerResult,
    key = "customers",
    id = "customerId",
    part = "What became of one customer.",
    case = "What became of one case's customers.",
    response = "The answer of `addCustomer` and `removeCustomer`.",
    example_id = "CUST123",
    example_part = "Customer added successfully.",
    example = "Customers addition was successful.",
);

parts_answer!(
    AccountsResponse,
    CaseAccountsResult,
    AccountResult,
    key = "accounts",
    id = "accountId",
    part = "What became of one account.",
    case = "What became of one case's accounts.",
    response = "The answer of `addAccount` and `removeAccount`.",
    example_id = "ACCT-123",
    example_part = "Account added successfully.",
    example = "Accounts addition was successful.",
);

parts_answer!(
    ExternalEntitiesResponse,
    CaseExternalEntitiesResult,
    ExternalEntityResult,
    key = "externalEntities",
    id = "externalEntity",
    part = "What became of one external entity.",
    case = "What became of one case's external entities.",
    response = "The answer of `addExternalEntity` and `removeExternalEntity`.",
    example_id = "ACFTNETRSTACO1X",
    example_part = "External Entity added successfully.",
    example = "External Entities addition was successful.",
);

parts_answer!(
    TransactionsResponse,
    CaseTransactionsResult,
    TransactionResult,
    key = "transactions",
    id = "transactionReferenceId",
    part = "What became of one transaction.",
    case = "What became of one case's transactions.",
    response = "The answer of `addTransaction` and `removeTransaction`.",
    example_id = "BOTRXNCSTLOSSSEVHH004",
    example_part = "Transaction added successfully.",
    example = "Transactions addition was successful.",
);

parts_answer!(
    EventDecisionsResponse,
    CaseEventDecisionsResult,
    EventDecisionResult,
    key = "events",
    id = "eventCode",
    part = "What became of one event's decision.",
    case = "What became of one case's event decisions.",
    response = "The answer of `updateEventRiskDecision`.",
    example_id = "ECMRT1662738331135",
    example_part = "Event Decision updated successfully.",
    example = "Event Decision updation was successful.",
);

parts_answer!(
    EvidenceReviewResponse,
    CaseEvidenceResult,
    EvidenceResult,
    key = "evidence",
    id = "documentId",
    part = "What became of one document's review.",
    case = "What became of one case's evidence reviews.",
    response = "The answer of `reviewEvidence`.",
    example_id = "doc-5f1e2d3c",
    example_part = "Evidence reviewed successfully.",
    example = "Evidence review was successful.",
);

/// Declares the request item of a batch on parts, for the OpenAPI
/// document: a case and its parts under `$key`, and no other key.
macro_rules! parts_input {
    ($input:ident, $part:ty, key = $key:tt, doc = $doc:tt, parts = $parts_doc:tt $(,)?) => {
        #[doc = $doc]
        #[derive(Serialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $input {
            /// The case.
            #[serde(rename = "caseId")]
            #[schema(example = "CA100")]
            pub case_id: String,
            #[doc = $parts_doc]
            #[serde(rename = $key)]
            #[schema(min_items = 1)]
            pub parts: Vec<$part>,
        }
    };
}

parts_input!(
    CaseAccountsInput,
    Account,
    key = "accounts",
    doc = "An item of `addAccount`: a case and the accounts to add to it.",
    parts = "The accounts to add: at least one (a case with none fails)."
);
parts_input!(
    CaseAccountRefsInput,
    AccountRef,
    key = "accounts",
    doc = "An item of `removeAccount`: a case and the accounts to remove from it.",
    parts = "The accounts to remove: at least one (a case with none fails)."
);
parts_input!(
    CaseExternalEntitiesInput,
    ExternalEntity,
    key = "externalEntities",
    doc = "An item of `addExternalEntity`: a case and the external entities to add to it.",
    parts = "The external entities to add: at least one (a case with none fails)."
);
parts_input!(
    CaseExternalEntityRefsInput,
    ExternalEntityRef,
    key = "externalEntities",
    doc = "An item of `removeExternalEntity`: a case and the external entities to remove from it.",
    parts = "The external entities to remove: at least one (a case with none fails)."
);
parts_input!(
    CaseTransactionsInput,
    Transaction,
    key = "transactions",
    doc = "An item of `addTransaction`: a case and the transactions to add to it.",
    parts = "The transactions to add: at least one (a case with none fails)."
);
parts_input!(
    CaseTransactionRefsInput,
    TransactionRef,
    key = "transactions",
    doc = "An item of `removeTransaction`: a case and the transactions to remove from it.",
    parts = "The transactions to remove: at least one (a case with none fails)."
);
parts_input!(
    CaseEvidenceInput,
    EvidenceDecision,
    key = "evidence",
    doc = "An item of `reviewEvidence`: a case and the decisions on its documents.",
    parts = "The decisions: at least one (a case with none fails)."
);
parts_input!(
    CaseEventDecisionsInput,
    EventDecision,
    key = "events",
    doc = "An item of `updateEventRiskDecision`: a case and the decisions on its events.",
    parts = "The decisions: at least one (a case with none fails)."
);

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
