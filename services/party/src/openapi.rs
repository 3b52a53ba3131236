//! party-service's OpenAPI document: the party operations, the internal
//! credential they all require and the rate limit they all share.

use crate::routes::parties;
use utoipa::OpenApi;

/// The service's OpenAPI document.
pub fn document() -> utoipa::openapi::OpenApi {
    #[derive(OpenApi)]
    #[openapi(
        info(title = "party-service", description = "The internal Party microservice: persons and organisations."),
        paths(parties::create, parties::read, parties::update, parties::delete, parties::list),
        tags((name = "parties", description = "Persons and organisations"))
    )]
    struct Doc;
    let mut doc = Doc::openapi();
    service_kit::openapi::merge_all_of(&mut doc, "Party");
    service_kit::openapi::require_internal_credential(&mut doc);
    service_kit::openapi::document_rate_limit(&mut doc, "Problem", "application/problem+json");
    doc
}
