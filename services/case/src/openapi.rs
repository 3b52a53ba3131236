//! case-service's OpenAPI document: the ECM operations, their bodies and
//! every answer, with the bearer token they require.

use crate::routes::{audit, cases, customers, description, locks, narratives};
use crate::wire::envelope::Envelope;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::OpenApi;

/// The name of the bearer-token security scheme.
pub const BEARER_SCHEME: &str = "bearerAuth";

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    #[derive(OpenApi)]
    #[openapi(
        info(
            title = "case-service",
            description = "The Oracle ECM Case Management API (`addCustomer`, `removeCustomer`, \
                `getCaseStatusDetails`, `updateCaseDescription`, `addNarrative`) and our own case operations in the same family and \
                envelope. Every operation is POST with a JSON body and a bearer token: \
                `case:write` changes cases, `case:read` (or `case:write`) reads them."
        ),
        paths(
            customers::add_customer,
            customers::remove_customer,
            cases::get_case_status_details,
            cases::create_case,
            cases::update_case_status,
            cases::get_case_details,
            cases::get_customer_cases,
            audit::get_case_audit,
            description::update_case_description,
            narratives::add_narrative,
            locks::lock_case,
            locks::unlock_case,
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
    batches_not_empty(&mut doc);
    doc
}

/// A batch body (an array of cases) must hold at least one: the code
/// refuses `[]` ("Invalid JSON Input format").
fn batches_not_empty(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::Schema;
    use utoipa::openapi::RefOr;
    for item in doc.paths.paths.values_mut() {
        let Some(body) = item.post.as_mut().and_then(|op| op.request_body.as_mut()) else {
            continue;
        };
        for content in body.content.values_mut() {
            if let Some(RefOr::T(Schema::Array(array))) = content.schema.as_mut() {
                array.min_items = Some(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// The narrative's schema states the rule `Prose` checks (utoipa cannot
    /// take the schema of a const-generic type, so it is written out).
    #[test]
    fn the_narrative_pattern_is_prose() {
        let doc = serde_json::to_value(super::document()).expect("json");
        assert_eq!(
            doc["components"]["schemas"]["NewNarrative"]["properties"]["narrative"]["pattern"],
            crate::wire::values::PROSE_PATTERN
        );
    }
}
