//! The service's OpenAPI document: the eleven operations, the app and
//! end-user credentials every one needs, and the Fabric errors any can give.

use crate::routes;
use crate::wire::{CreatedAction, FabricError, ListedAction};
use service_kit::openapi::{answer_everywhere, document_rate_limit, envelope_response};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::OpenApi;

/// The service's OpenAPI document.
pub fn document() -> OpenApi {
    #[derive(utoipa::OpenApi)]
    #[openapi(
        info(title = "user-action-service", description = "The Temenos Infinity Customer Actions Management API. \
            Every operation needs app credentials (X-Kony-App-Key, X-Kony-App-Secret) and an end-user token \
            (X-Kony-Authorization, or Authorization: Bearer). Errors use the Fabric envelope; dbpErrCode is one of: \
            10001 malformed body, 10002 missing field, 10003 invalid field, 10004 unsupported media type, 10005 body too large, 10006 body not received in time (REQUEST_BODY_TIMEOUT_SECS, 408), \
            10101 app not authenticated, 10102 end user not authenticated, 10103 forbidden, 10104 too many requests, 10201 no such application, \
            10202 no such user action, 10203 no such document, 10204 no such operation, 10301 status change not allowed, \
            10302 wrong action type, 10303 documents required, 10304 idempotency key in use, 10305 idempotency key reused, 10306 co-applicant limit reached (USER_ACTION_MAX_CO_APPLICANTS), \
            10307 document limit of the action reached (USER_ACTION_MAX_DOCUMENTS_PER_ACTION, 409), 10308 the application's documents would pass their byte limit (USER_ACTION_MAX_BYTES_PER_APPLICATION, 413), \
            10309 required actions pending (signalProcess Submit, 409, each named), \
            10310 the application was erased and changes no more (409), \
            10401-10410 the file rules (name characters, extension, leading space, invalid name, too large, empty, bad base64, \
            type not allowed, type mismatch, infected), 10500 internal, 10501 dependency unavailable, 10502 dependency timeout."),
        paths(
            routes::prospect::create_prospect_profile,
            routes::prospect::update_prospect_profile,
            routes::documents::upload_document,
            routes::actions::get_user_actions,
            routes::actions::update_user_action,
            routes::actions::update_user_action_bulk,
            routes::actions::create_pre_requirements,
            routes::documents::get_document,
            routes::process::signal_process,
            routes::process::notify_rm,
            routes::audit::get_audit_events,
        ),
        // The listings' items, which utoipa does not collect from the
        // flattened maps that hold them.
        components(schemas(FabricError, ListedAction, CreatedAction)),
        tags(
            (name = "PersonalInfo", description = "Prospect profiles"),
            (name = "UserAction", description = "Pending user actions and their documents"),
            (name = "Audit", description = "Consents and changes"),
        )
    )]
    struct Doc;
    let mut doc = <Doc as utoipa::OpenApi>::openapi();
    let components = doc.components.get_or_insert_with(Default::default);
    for (name, header) in [
        ("appKey", "X-Kony-App-Key"),
        ("appSecret", "X-Kony-App-Secret"),
        ("userToken", "X-Kony-Authorization"),
    ] {
        components.add_security_scheme(
            name,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new(header))),
        );
    }
    // Every operation needs all three together.
    doc.security = Some(vec![["appKey", "appSecret", "userToken"]
        .into_iter()
        .fold(SecurityRequirement::default(), |all, name| {
            all.add(name, Vec::<String>::new())
        })]);
    // What any operation can answer, as every one reads a JSON body and
    // uses the database; operations that say more keep their own words.
    for (status, name, description) in [
        (
            "400",
            "BadRequest",
            "The body is not JSON or not the documented shape, or a field is invalid",
        ),
        (
            "413",
            "BodyTooLarge",
            "The body is larger than the operation accepts",
        ),
        (
            "415",
            "UnsupportedMediaType",
            "The body is not application/json",
        ),
        (
            "500",
            "InternalError",
            "Our own fault; the cause is logged, not told",
        ),
        (
            "503",
            "Unavailable",
            "The database or a service we depend on is unavailable",
        ),
    ] {
        let response = envelope_response(description, "FabricError", "application/json");
        answer_everywhere(&mut doc, name, status, response);
    }
    document_rate_limit(&mut doc, "FabricError", "application/json");
    // The internal API, after the CAM answers: it has its own (problems).
    doc.merge(internal());
    outbox::api::document(&mut doc, routes::INTERNAL_BASE);
    service_kit::openapi::internal_api(&mut doc, routes::INTERNAL_BASE);
    doc
}

/// The internal API's own operations (the outbox's delivery log aside),
/// kept apart so that the CAM envelope's answers are not added to them.
fn internal() -> OpenApi {
    #[derive(utoipa::OpenApi)]
    #[openapi(
        paths(
            routes::decisions::decide,
            routes::applications::list_applications,
            routes::applications::document_content,
        ),
        tags(
            (name = "decisions (internal)", description = "case-service's decisions on an application's case (SPEC §D), each applied once by id; internal: the internal credential and problem details, never routed by the gateway"),
            (name = "applications (internal)", description = "The applications and their documents for the bank's staff, read by the case workers' console (issue 15); internal: the internal credential and problem details, never routed by the gateway"),
        )
    )]
    struct Internal;
    <Internal as utoipa::OpenApi>::openapi()
}
