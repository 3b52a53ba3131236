//! case-service's OpenAPI document: the ECM operations, their bodies and
//! every answer, with the bearer token they require.

use crate::routes::{
    applications, assignment, audit, business, cases, customers, decisions, description, erasure,
    events, evidence, inbox, locks, narratives, recommendations, records, suppression,
};
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
                `getCaseStatusDetails`, `updateCaseDescription`, `addNarrative`, the account, \
                external entity and transaction operations, the real-time event operations `saveEvents`, \
                `saveEventsAndPromoteToCase` and `saveEventsAndExtendToCase` (also under the \
                guide's `/restapi/` spelling), and `getSuppressionRulesList`) and our own case operations in the same family and \
                envelope, among them the case workers' inbox `searchCases` and `assignCase`, four eyes' \
                `recommendCaseStatus`, \
                `reviewEvidence` and the closing statuses `APR`, `REJ` and `RFI` of an \
                application's KYC case (SPEC §D). Every operation is POST with a JSON body and a bearer token: \
                `case:write` changes cases, `case:read` (or `case:write`) reads them."
        ),
        paths(
            customers::add_customer,
            customers::remove_customer,
            records::add_account,
            records::remove_account,
            records::add_external_entity,
            records::remove_external_entity,
            records::add_transaction,
            records::remove_transaction,
            cases::get_case_status_details,
            cases::create_case,
            cases::update_case_status,
            cases::get_case_details,
            cases::get_customer_cases,
            audit::get_case_audit,
            business::load,
            business::read,
            erasure::erase,
            erasure::erase_application,
            events::save_events,
            events::promote,
            events::extend,
            suppression::get_suppression_rules_list,
            suppression::create_suppression_rule,
            suppression::approve_suppression_rule,
            suppression::reject_suppression_rule,
            description::update_case_description,
            narratives::add_narrative,
            decisions::update_event_risk_decision,
            evidence::review_evidence,
            applications::apply,
            locks::lock_case,
            locks::unlock_case,
            inbox::search_cases,
            assignment::assign_case,
            recommendations::recommend_case_status,
        ),
        components(schemas(Envelope)),
        tags(
            (name = "ECM", description = "Operations of the vendor's ECM REST API guide"),
            (name = "ECM (ours)", description = "Our operations in the same family and envelope: `createCase` (cases are born from events through `saveEventsAndPromoteToCase`; this makes one directly), case reads, and managing suppression rules"),
            (name = "erasure (internal)", description = "Erasing a customer's personal data from every case and event, and an application's values from its case (issue 17, retention and erasure), for user-action's retention purge; internal: the internal credential, never routed by the gateway"),
            (name = "application flow (internal)", description = "user-action's events about an application (SPEC §D): a submission opens its KYC case, a withdrawal closes it, requests for help and documents sent again reach it; each applied once by its id. Internal: the internal credential, never routed by the gateway"),
            (name = "business records (internal)", description = "The bank's accounts, external entities and transactions, loaded so that `businessAdd: \"Y\"` finds them; internal: the internal credential, never routed by the gateway")
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
    // Every ECM operation requires the token; the internal API (the bank's
    // business records) the internal credential instead.
    doc.security = Some(vec![SecurityRequirement::new(
        BEARER_SCHEME,
        Vec::<String>::new(),
    )]);

    service_kit::openapi::document_rate_limit(&mut doc, "Envelope", "application/json");
    outbox::api::document(&mut doc, crate::routes::BASE);
    service_kit::openapi::internal_api(&mut doc, crate::routes::BASE);
    batches_not_empty(&mut doc);
    guide_spelling(&mut doc);
    doc
}

/// The real-time event operations are served under the guide's
/// `/restapi/` spelling too: the same operations, under their own ids.
fn guide_spelling(doc: &mut utoipa::openapi::OpenApi) {
    let prefix = format!("{}/RealTimeCaseCreationService/", crate::routes::CM_PREFIX);
    let copies: Vec<_> = doc
        .paths
        .paths
        .iter()
        .filter_map(|(path, item)| {
            let rest = path.strip_prefix(&prefix)?;
            let mut item = item.clone();
            if let Some(op) = item.post.as_mut() {
                op.operation_id = op.operation_id.take().map(|id| format!("{id}_restapi"));
            }
            let path = format!(
                "{}/RealTimeCaseCreationService/{rest}",
                crate::routes::CM_PREFIX_GUIDE
            );
            Some((path, item))
        })
        .collect();
    doc.paths.paths.extend(copies);
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
