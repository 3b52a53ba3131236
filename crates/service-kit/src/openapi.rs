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

/// The name of the shared 429 response in the documents.
pub const TOO_MANY_REQUESTS: &str = "TooManyRequests";

/// Documents the 429 that every operation can answer when its client has
/// used its allowance (see [`crate::limit`]): a shared response with the
/// `Retry-After` header and the API's error envelope (`schema`, a component
/// name, in `content_type`), referenced from every operation.
pub fn document_rate_limit(doc: &mut OpenApi, schema: &str, content_type: &str) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let retry_after = HeaderBuilder::new()
        .schema(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1)),
        )
        .description(Some("Seconds to wait before trying again."))
        .build();
    let response = ResponseBuilder::new()
        .description("Too many requests from this client; retry after `Retry-After` seconds.")
        .header("Retry-After", retry_after)
        .content(
            content_type,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(schema)))
                .build(),
        )
        .build();
    doc.components
        .get_or_insert_with(Default::default)
        .responses
        .insert(TOO_MANY_REQUESTS.to_owned(), response.into());
    let reference = Ref::from_response_name(TOO_MANY_REQUESTS);
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            operation
                .responses
                .responses
                .insert("429".to_owned(), reference.clone().into());
        }
    }
}
