//! case-service's OpenAPI document: the ECM operations, their bodies and
//! every answer, with the bearer token they require.

use crate::routes::{add_customer, cases, reads, remove_customer, status_details};
use crate::wire::customer::Customer;
use crate::wire::envelope::Envelope;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};
use utoipa::{IntoResponses, OpenApi, ToSchema};

/// The name of the bearer-token security scheme.
pub const BEARER_SCHEME: &str = "bearerAuth";

/// An item of `addCustomer`: a case and the customers to add to it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseCustomersInput {
    /// The case.
    #[schema(example = "CA100")]
    pub case_id: String,
    /// The customers to add.
    pub customers: Vec<Customer>,
}

/// An item of `removeCustomer`: a case and the customers to remove from it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseCustomerRefsInput {
    /// The case.
    #[schema(example = "CA100")]
    pub case_id: String,
    /// The customers to remove.
    #[schema(value_type = Vec<remove_customer::CustomerRef>)]
    pub customers: Vec<String>,
}

/// An item of `getCaseStatusDetails`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseRef {
    /// The case.
    #[schema(example = "CA100")]
    pub case_id: String,
}

/// A page of a case's customers or audit trail.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CasePageRequest {
    /// The case.
    #[schema(example = "CA100")]
    pub case_id: String,
    /// Page size, 1 to 100 (default 20).
    #[schema(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page of the cases that include a customer.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerPageRequest {
    /// The customer.
    #[schema(example = "CUST123")]
    pub customer_id: String,
    /// Page size, 1 to 100 (default 20).
    #[schema(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// A response whose body is the ECM envelope.
fn envelope(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Envelope")))
                .build(),
        )
        .build()
        .into()
}

/// The refusals every operation may answer, in the ECM envelope.
fn refusals(forbidden: &str) -> BTreeMap<String, RefOr<Response>> {
    [
        ("401", "No valid bearer token (`WWW-Authenticate: Bearer`)"),
        ("403", forbidden),
        ("405", "Not POST (`Allow: POST`)"),
        (
            "413",
            "The body, or the number of customers or cases it carries, is over the limit: \
             by default 8 MiB (`CASE_MAX_BODY_BYTES`) and 1,000 customers over all the \
             request's cases, or 1,000 cases (`CASE_MAX_CUSTOMERS_PER_REQUEST`); the \
             `MESSAGE` names the count and the limit",
        ),
        ("415", "The body is not application/json"),
        (
            "500",
            "An internal error; with `RESULTARRAY` when every part failed so",
        ),
        (
            "503",
            "A dependency is unavailable; with `RESULTARRAY` when every part failed so",
        ),
    ]
    .into_iter()
    .map(|(status, description)| (status.to_owned(), envelope(description)))
    .collect()
}

/// The refusals of the operations that change cases.
pub struct ChangeRefusals;

impl IntoResponses for ChangeRefusals {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        refusals("The token's roles do not include `case:write`")
    }
}

/// The refusals of the operations that read cases.
pub struct ReadRefusals;

impl IntoResponses for ReadRefusals {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        refusals("The token's roles include neither `case:read` nor `case:write`")
    }
}

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    #[derive(OpenApi)]
    #[openapi(
        info(
            title = "case-service",
            description = "The Oracle ECM Case Management API (`addCustomer`, `removeCustomer`, \
                `getCaseStatusDetails`) and our own case operations in the same family and \
                envelope. Every operation is POST with a JSON body and a bearer token: \
                `case:write` changes cases, `case:read` (or `case:write`) reads them."
        ),
        paths(
            add_customer::add_customer,
            remove_customer::remove_customer,
            status_details::get_case_status_details,
            cases::create_case,
            cases::update_case_status,
            reads::get_case_details,
            reads::get_customer_cases,
            reads::get_case_audit,
        ),
        components(schemas(Envelope)),
        tags(
            (name = "ECM", description = "Operations of the vendor's ECM REST API guide"),
            (name = "ECM (ours)", description = "Our operations in the same family, until the vendor's event APIs exist")
        )
    )]
    struct Doc;
    let mut doc = Doc::openapi();
    doc.components
        .get_or_insert_with(Default::default)
        .add_security_scheme(
        BEARER_SCHEME,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "An end-user token (JWT) whose `roles` include `case:write` or `case:read`.",
                ))
                .build(),
        ),
    );
    // Every operation requires the token.
    doc.security = Some(vec![SecurityRequirement::new(
        BEARER_SCHEME,
        Vec::<String>::new(),
    )]);
    service_kit::openapi::document_rate_limit(&mut doc, "Envelope", "application/json");
    doc
}
