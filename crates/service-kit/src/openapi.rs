//! Serving the services' OpenAPI documents and the Swagger UI (assets are
//! vendored into the binary: nothing is downloaded at build or run time).

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::OpenApi;
use utoipa_swagger_ui::{SwaggerUi, Url};

/// The name of the internal-credential security scheme in the documents.
pub const INTERNAL_SCHEME: &str = "serviceCredential";

/// The Swagger UI at `/docs`, listing every service's document, each served
/// at `/openapi/{service}.json`.
pub(crate) fn swagger_ui(docs: &[(&'static str, OpenApi)]) -> SwaggerUi {
    let urls = docs
        .iter()
        .map(|(name, doc)| (Url::from(format!("/openapi/{name}.json")), doc.clone()))
        .collect::<Vec<_>>();
    SwaggerUi::new("/docs/{_:.*}").urls(urls)
}

/// Declares the internal credential as the document's security scheme and
/// requires it on every operation.
pub fn require_internal_credential(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        INTERNAL_SCHEME,
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            crate::auth::CREDENTIAL_HEADER,
            "The internal service credential (INTERNAL_CREDENTIAL).",
        ))),
    );
    doc.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
        INTERNAL_SCHEME,
        Vec::<String>::new(),
    )]);
}
