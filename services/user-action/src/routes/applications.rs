//! The applications for the bank's staff, an internal API (internal
//! credential; issue 15): the console lists them for relationship
//! managers, and shows a case's evidence from here, never reaching
//! document-service itself.

use super::AppState;
use crate::rows::document_owner;
use crate::store::application_list::{self, ListFilter};
use crate::wire::{ApplicationListQuery, DEFAULT_APPLICATION_PAGE, MAX_APPLICATION_PAGE};
use actix_web::http::header::{CacheControl, CacheDirective, ContentDisposition, DispositionType};
use actix_web::{web, HttpRequest, HttpResponse};
use domain::applications::ApplicationPage;
use service_kit::auth::InternalPeer;
use service_kit::body::parse_query;
use service_kit::client::CallError;
use service_kit::error::Problem;
use service_kit::{FieldError, ProblemError};

/// The application statuses (SPEC §D), as `status` names them.
const STATUSES: [&str; 6] = [
    "InProgress",
    "Submitted",
    "UnderReview",
    "Approved",
    "Rejected",
    "Withdrawn",
];

/// The types evidence is served as, for a browser to show inline: what
/// document-service accepts by default. Content of any other type is
/// served as an `application/octet-stream` attachment.
const INLINE_TYPES: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];

/// The header naming the case worker a peer acts for.
const ACTING_SUBJECT: &str = "X-Acting-Subject";
/// The longest acting subject accepted.
const MAX_ACTING_SUBJECT: usize = 200;

/// List applications.
///
/// Every application, most recently updated first (by `updatedAt`, then
/// id), filtered by status and by open requests for help, a page at a
/// time with the total: its case once case-service has opened one, its
/// applicants, the actions waiting for the applicant (with the bank's
/// reason for one sent back) and its requests for help. Names and messages
/// are opened for the page only.
#[utoipa::path(
    get, path = "/user-action/v1/applications", tag = "applications (internal)",
    params(ApplicationListQuery),
    responses(
        (status = 200, description = "A page of applications", body = ApplicationPage,
         example = json!({"applications": [{"applicationId": "3X88WLM", "status": "UnderReview",
             "createdAt": "2026-12-07T09:00:00.000000Z", "updatedAt": "2026-12-07T10:00:00.000000Z",
             "caseId": "CA0000000001", "caseStatus": "RFI",
             "applicants": [{"partyId": "1778258145", "type": "Applicant", "firstName": "Virat", "lastName": "Kohli"}],
             "pendingActions": [{"identifier": "Passport_1778258145_3X88WLM", "name": "Passport", "status": "Rejected",
                                 "reviewComment": "The scan is unreadable"}],
             "rmRequests": [{"id": "60fe1b7edecbb711d1e76641", "message": "Which payslips do you need?",
                             "caseId": "CA0000000001", "createdAt": "2026-12-07T09:30:00.000000Z"}],
             "rmRequestCount": 1}],
             "nextCursor": null, "total": 1})),
        (status = 400, description = "A parameter is invalid (named)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid internal credential", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Our own fault (a sealed value that does not open); the cause is logged, not told", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_applications(
    _peer: InternalPeer,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ProblemError> {
    let query: ApplicationListQuery = parse_query(req.query_string())?;
    let (filter, limit) = filter_of(query)?;
    let shared = state.clone();
    let page = state
        .db
        .run(move |conn| {
            let shown = |name: &str| shared.catalog.get(name).is_some();
            application_list::page(conn, &shared.keyring, &filter, limit, &shown)
                .map_err(ProblemError::from)
        })
        .await?;
    let next_cursor = page
        .more
        .then(|| {
            page.applications
                .last()
                .map(|a| format!("{}_{}", a.updated_at, a.application_id))
        })
        .flatten();
    Ok(HttpResponse::Ok().json(ApplicationPage {
        applications: page.applications,
        next_cursor,
        total: u64::try_from(page.total).unwrap_or_default(),
    }))
}

/// The filter and page size `query` asks for, or every parameter's
/// refusal, each named.
fn filter_of(query: ApplicationListQuery) -> Result<(ListFilter, i64), ProblemError> {
    let mut errors = Vec::new();
    let limit = query.limit.unwrap_or(DEFAULT_APPLICATION_PAGE);
    if !(1..=MAX_APPLICATION_PAGE).contains(&limit) {
        errors.push(FieldError::new(
            "limit",
            format!("must be between 1 and {MAX_APPLICATION_PAGE}"),
        ));
    }
    let mut statuses: Vec<String> = Vec::new();
    if let Some(list) = &query.status {
        for status in list.split(',') {
            if !STATUSES.contains(&status) {
                errors.push(FieldError::new(
                    "status",
                    format!("must be a comma-separated list of {}", STATUSES.join(", ")),
                ));
                break;
            }
            if !statuses.iter().any(|s| s == status) {
                statuses.push(status.to_owned());
            }
        }
    }
    let after = query.cursor.as_deref().map(|text| {
        text.split_once('_')
            .filter(|(at, id)| super::is_timestamp(at) && domain::ids::is_application_id(id))
            .map(|(at, id)| (at.to_owned(), id.to_owned()))
    });
    if matches!(after, Some(None)) {
        errors.push(FieldError::new(
            "cursor",
            "is not a cursor this list returned",
        ));
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let filter = ListFilter {
        statuses,
        pending_rm: query.pending_rm.unwrap_or(false),
        after: after.flatten(),
    };
    Ok((filter, limit))
}

/// Download a document of an application.
///
/// The content of a document attached to one of the application's
/// actions, for a case worker to preview or download: `Content-Type` is
/// the type its bytes sniff as when a browser may show it (PDF, JPEG or
/// PNG), else `application/octet-stream` as an attachment; never cached.
/// Any other application's document answers as a missing one. The case
/// worker the caller acts for (`X-Acting-Subject`) is logged with the ids.
#[utoipa::path(
    get, path = "/user-action/v1/applications/{applicationId}/documents/{documentId}/content", tag = "applications (internal)",
    params(
        ("applicationId" = String, Path, pattern = "^[A-Z0-9]{7}$", description = "The application (`Application_id`): 7 of A-Z and 0-9"),
        ("documentId" = String, Path, pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", description = "The document (a lower-case UUID), attached to one of the application's actions"),
        ("X-Acting-Subject" = Option<String>, Header, nullable = false, pattern = "^[ -~]{1,200}$", description = "The case worker the caller acts for, logged: 1 to 200 printable ASCII characters, not blank"),
    ),
    responses(
        (status = 200, description = "The content, with Content-Length, Cache-Control: no-store and X-Content-Type-Options: nosniff",
            content((Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"), (Vec<u8> = "application/octet-stream"))),
        (status = 400, description = "An id or X-Acting-Subject is malformed (named)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid internal credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document attached to this application", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Our own fault; the cause is logged, not told", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database or document-service is unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn document_content(
    _peer: InternalPeer,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ProblemError> {
    let (application_id, document_id) = path.into_inner();
    let acting = acting_subject(&req);
    let mut errors = Vec::new();
    if !domain::ids::is_application_id(&application_id) {
        errors.push(FieldError::new(
            "applicationId",
            "must be 7 characters of A-Z and 0-9",
        ));
    }
    if !is_lower_uuid(&document_id) {
        errors.push(FieldError::new("documentId", "must be a lower-case UUID"));
    }
    if let Err(e) = &acting {
        errors.push(e.clone());
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let (application, document) = (application_id.clone(), document_id.clone());
    let owner = state
        .db
        .run_short_read(move |conn| {
            application_list::document_owner(conn, &application, &document)
                .map_err(ProblemError::from)
        })
        .await?
        .ok_or(ProblemError::NotFound("document"))?;
    let content = state
        .documents
        .content(&document_owner(&owner), &document_id)
        .await
        .map_err(peer_failure)?;
    let Some(content) = content else {
        // The rows outlive the content only while an erasure is under way
        // (document-service's copy goes first).
        tracing::warn!(application_id = %application_id, document_id = %document_id,
            "an attached document is gone from document-service");
        return Err(ProblemError::NotFound("document"));
    };
    // Ids and the case worker only: never the content or a file name.
    tracing::info!(application_id = %application_id, document_id = %document_id,
        acting_subject = acting.ok().flatten().unwrap_or("-"), "document served to a case worker");
    let sniffed = infer::get(&content).map(|t| t.mime_type());
    let mut answer = HttpResponse::Ok();
    answer
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .insert_header(("X-Content-Type-Options", "nosniff"));
    match sniffed.filter(|t| INLINE_TYPES.contains(t)) {
        Some(inline) => answer.content_type(inline),
        None => answer
            .content_type("application/octet-stream")
            .insert_header(ContentDisposition {
                disposition: DispositionType::Attachment,
                parameters: Vec::new(),
            }),
    };
    Ok(answer.body(content))
}

/// `X-Acting-Subject`: none when absent, else 1 to
/// [`MAX_ACTING_SUBJECT`] printable ASCII characters, not blank.
fn acting_subject(req: &HttpRequest) -> Result<Option<&str>, FieldError> {
    let Some(value) = req.headers().get(ACTING_SUBJECT) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .filter(|subject| {
            !subject.trim().is_empty()
                && subject.len() <= MAX_ACTING_SUBJECT
                && subject.bytes().all(|b| (b' '..=b'~').contains(&b))
        })
        .map(Some)
        .ok_or_else(|| {
            FieldError::new(
                ACTING_SUBJECT,
                format!("must be 1 to {MAX_ACTING_SUBJECT} printable ASCII characters, not blank"),
            )
        })
}

/// Whether `text` is a UUID as document ids are written: lower-case hex,
/// hyphenated.
fn is_lower_uuid(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok_and(|id| id.hyphenated().to_string() == text)
}

/// document-service's failure: unavailable (503) when it is down or slow,
/// our fault (500) when it answered what it should not have.
fn peer_failure(e: CallError) -> ProblemError {
    match e {
        CallError::Unavailable { .. } | CallError::Timeout { .. } => {
            ProblemError::Unavailable(e.into())
        }
        other => ProblemError::Internal(other.into()),
    }
}
