//! Serving the services' OpenAPI documents and the Swagger UI (assets are
//! vendored into the binary: nothing is downloaded at build or run time).

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{Object, ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};
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
    doc.security = Some(vec![internal_credential(doc)]);
}

/// Declares the internal credential as a security scheme of the document,
/// and returns the requirement of it, for the operations of a document that
/// need it when others need another credential.
pub fn internal_credential(doc: &mut OpenApi) -> SecurityRequirement {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        INTERNAL_SCHEME,
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            crate::auth::CREDENTIAL_HEADER,
            "The internal service credential (INTERNAL_CREDENTIAL).",
        ))),
    );
    SecurityRequirement::new(INTERNAL_SCHEME, Vec::<String>::new())
}

/// The name of the shared 429 response in the documents.
pub const TOO_MANY_REQUESTS: &str = "TooManyRequests";

/// A response whose body is `schema` (a component name) in `content_type`:
/// an API's error envelope.
pub fn envelope_response(description: &str, schema: &str, content_type: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            content_type,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(schema)))
                .build(),
        )
        .build()
}

/// Documents an answer that every operation can give (a malformed body, a
/// database outage, ...): `response` becomes the shared response `name`,
/// referenced under `status` from each operation that does not document
/// that status itself (its own description being more precise).
pub fn answer_everywhere(doc: &mut OpenApi, name: &str, status: &str, response: Response) {
    doc.components
        .get_or_insert_with(Default::default)
        .responses
        .insert(name.to_owned(), response.into());
    let reference = Ref::from_response_name(name);
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
                .entry(status.to_owned())
                .or_insert_with(|| reference.clone().into());
        }
    }
}

/// Documents the 429 that every operation can answer when its client has
/// used its allowance (see [`crate::limit`]), with the `Retry-After` header
/// and the API's error envelope (`schema` in `content_type`).
pub fn document_rate_limit(doc: &mut OpenApi, schema: &str, content_type: &str) {
    let response = rate_limit_response(schema, content_type);
    answer_everywhere(doc, TOO_MANY_REQUESTS, "429", response);
}

/// The 429 answer, with `Retry-After`, in the envelope `schema` (a
/// component name) as `content_type`.
pub fn rate_limit_response(schema: &str, content_type: &str) -> Response {
    let mut response = envelope_response(
        "Too many requests from this client; retry after `Retry-After` seconds.",
        schema,
        content_type,
    );
    let retry_after = HeaderBuilder::new()
        .schema(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1)),
        )
        .description(Some("Seconds to wait before trying again."))
        .build();
    response
        .headers
        .insert("Retry-After".to_owned(), retry_after);
    response
}

/// Replaces the `allOf` schema `name` by one object with the properties and
/// required fields of all its parts. utoipa renders a `#[serde(flatten)]`
/// field as `allOf`, and when the flattened struct denies unknown fields
/// (`additionalProperties: false`) no value can match every part; merged,
/// the schema says what is meant: these fields and no others.
pub fn merge_all_of(doc: &mut OpenApi, name: &str) {
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let Some(RefOr::T(Schema::AllOf(all_of))) = components.schemas.get(name) else {
        return;
    };
    let mut merged = Object::new();
    merged.description = all_of.description.clone();
    for part in &all_of.items {
        let part = match part {
            RefOr::Ref(r) => components
                .schemas
                .get(r.ref_location.trim_start_matches("#/components/schemas/")),
            inline => Some(inline),
        };
        if let Some(RefOr::T(Schema::Object(object))) = part {
            merged.properties.extend(object.properties.clone());
            merged.required.extend(object.required.clone());
            merged.additional_properties = merged
                .additional_properties
                .or(object.additional_properties.clone());
        }
    }
    merged.schema_type = Type::Object.into();
    components
        .schemas
        .insert(name.to_owned(), RefOr::T(Schema::Object(merged)));
}

/// Marks every operation of `doc` under `base` (a service's internal API)
/// as taking the internal credential instead of the document's own, and
/// answering a 429 in problem details, as `server::internal_scope` serves
/// them.
pub fn internal_api(doc: &mut OpenApi, base: &str) {
    let internal = internal_credential(doc);
    let too_many = rate_limit_response("Problem", "application/problem+json");
    for (path, item) in &mut doc.paths.paths {
        if !path.starts_with(base) {
            continue;
        }
        for operation in [item.get.as_mut(), item.post.as_mut()]
            .into_iter()
            .flatten()
        {
            operation.security = Some(vec![internal.clone()]);
            operation
                .responses
                .responses
                .insert("429".to_owned(), too_many.clone().into());
        }
    }
}
