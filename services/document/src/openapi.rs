//! document-service's OpenAPI document: the document operations, the
//! internal credential they all require and the rate limit they all share.

use crate::routes::documents;
use utoipa::OpenApi;

/// The service's OpenAPI document.
pub fn document() -> utoipa::openapi::OpenApi {
    #[derive(OpenApi)]
    #[openapi(
        info(title = "document-service", description = "The internal Document microservice: owned files in object storage. \
            File rules are named by the problem `type`: urn:onboarding:problem:file-name-characters, file-name-extension, \
            file-name-leading-space, file-name-invalid, file-too-large, file-empty, file-bad-base64, file-type-not-allowed, \
            file-type-mismatch, file-infected."),
        paths(documents::create, documents::metadata, documents::content, documents::list, documents::delete),
        tags((name = "documents", description = "Documents and their content"))
    )]
    struct Doc;
    let mut doc = Doc::openapi();
    service_kit::openapi::require_internal_credential(&mut doc);
    service_kit::openapi::document_rate_limit(&mut doc, "Problem", "application/problem+json");
    doc
}
