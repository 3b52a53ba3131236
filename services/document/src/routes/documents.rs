//! The handlers of the documents resource, one per operation.
//!
//! Every operation is scoped to the caller's owner (see [`Caller`]):
//! another owner's document answers exactly like one that does not exist.

use super::body::{self, UploadError};
use super::{AppState, BASE};
use crate::caller::{Caller, OwnerHeaders};
use crate::checks::check_type;
use crate::content::ContentError;
use crate::integrity::Expected;
use crate::rows::documents::{DocumentRow, State};
use crate::scan::Verdict;
use crate::store::documents;
use crate::wire::documents::{
    DocumentMetadata, DocumentPage, JsonUpload, ListQuery, MultipartUpload,
};
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::document::{FileRule, Owner};
use domain::FieldError;
use futures_util::StreamExt;
use service_kit::body::parse_query;
use service_kit::db::timestamp;
use service_kit::error::Problem;
use service_kit::{InputError, ProblemError};

/// The header with which a caller chooses a new document's id.
pub const DOCUMENT_ID_HEADER: &str = "X-Document-Id";

/// The id a new document gets: the caller's (`X-Document-Id`, a UUID), so
/// that a caller who loses the answer can still delete it; else a new one.
fn new_id(req: &HttpRequest) -> Result<String, ProblemError> {
    let Some(value) = req.headers().get(DOCUMENT_ID_HEADER) else {
        return Ok(uuid::Uuid::new_v4().to_string());
    };
    value
        .to_str()
        .ok()
        .and_then(|v| uuid::Uuid::parse_str(v).ok())
        .map(|id| id.hyphenated().to_string())
        .ok_or_else(|| InputError::field(DOCUMENT_ID_HEADER, "must be a UUID").into())
}

/// Counts and renders a refused upload.
fn refuse(rule: FileRule) -> ProblemError {
    metrics::counter!("document_uploads_refused_total", "rule" => rule.slug()).increment(1);
    ProblemError::Rule {
        rule: rule.slug(),
        status: StatusCode::from_u16(rule.status()).unwrap_or(StatusCode::BAD_REQUEST),
        field: rule.field(),
        message: rule.message(),
    }
}

fn refuse_upload(e: UploadError) -> ProblemError {
    match e {
        UploadError::Rule(rule) => refuse(rule),
        UploadError::Input(input) => {
            metrics::counter!("document_uploads_refused_total", "rule" => "invalid-input")
                .increment(1);
            input.into()
        }
    }
}

/// The problem+json responses every operation can give.
const PROBLEM: &str = "application/problem+json";

/// Store a document.
#[utoipa::path(
    post, path = "/document/v1/documents", tag = "documents",
    params(
        OwnerHeaders,
        ("X-Document-Id" = Option<String>, Header, description = "The new document's id (a UUID), chosen by the caller so that it can delete the document even when the answer is lost; by default a new one"),
    ),
    request_body(content(
        (JsonUpload = "application/json"),
        (MultipartUpload = "multipart/form-data"),
    )),
    responses(
        (status = 201, description = "Stored", body = DocumentMetadata),
        (status = 400, description = "A field is invalid or a file rule is broken; `type` names the rule", body = Problem, content_type = PROBLEM),
        (status = 401, description = "No valid internal credential", body = Problem, content_type = PROBLEM),
        (status = 409, description = "The X-Document-Id is taken, or was deleted", body = Problem, content_type = PROBLEM),
        (status = 413, description = "The file exceeds the size limit", body = Problem, content_type = PROBLEM),
        (status = 415, description = "Neither JSON nor a multipart form", body = Problem, content_type = PROBLEM),
        (status = 503, description = "Storage or the scanner is unavailable; nothing was stored", body = Problem, content_type = PROBLEM),
    )
)]
pub async fn create(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ProblemError> {
    let owner = caller.owner;
    let id = new_id(&req)?;
    let upload = body::read(&req, payload, state.max_bytes)
        .await
        .map_err(refuse_upload)?;
    let sniffed =
        check_type(&upload.declared_type, &upload.content, &state.allowed).map_err(refuse)?;
    match state.scanner.scan(&upload.content).await {
        Ok(Verdict::Clean) => {}
        Ok(Verdict::Infected(signature)) => {
            tracing::warn!(%signature, "upload rejected by the virus scanner");
            return Err(refuse(FileRule::Infected));
        }
        Err(e) => return Err(ProblemError::Unavailable(e.context("virus scanner"))),
    }
    let size = upload.content.len();
    let row = DocumentRow {
        id: id.clone(),
        owner_system: owner.system,
        owner_subject: owner.subject,
        reference: upload.reference,
        file_name: upload.file_name,
        file_info: upload.file_info,
        file_client_id: upload.file_client_id.map(|v| v.to_string()),
        declared_type: upload.declared_type.trim().to_ascii_lowercase(),
        sniffed_type: sniffed,
        size: i64::try_from(size).map_err(anyhow::Error::from)?,
        sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&upload.content)),
        state: State::Stored.as_str().to_owned(),
        created_at: timestamp(chrono::Utc::now()),
        sealed: false,
    };
    let pending = DocumentRow {
        state: State::Pending.as_str().to_owned(),
        ..row.clone()
    };
    let keyring = state.keyring.clone();
    state
        .db
        .run(
            move |conn| match documents::insert_pending(conn, &keyring, &pending) {
                Err(e) if service_kit::db::is_unique_violation(&e) => Err(ProblemError::Conflict(
                    format!("{DOCUMENT_ID_HEADER}: the id is taken, or was deleted"),
                )),
                other => other.map_err(ProblemError::from),
            },
        )
        .await?;

    // From here on a failure must leave nothing visible: undo what was done,
    // and leave what cannot be undone now to the sweeper.
    if let Err(e) = state.content.put(&id, upload.content).await {
        forget(&state, &id).await;
        return Err(ProblemError::Unavailable(
            anyhow::Error::from(e).context("content store"),
        ));
    }
    let commit_id = id.clone();
    let committed = state
        .db
        .run(move |conn| documents::mark_stored(conn, &commit_id).map_err(ProblemError::from))
        .await;
    match committed {
        Ok(true) => {}
        Ok(false) => {
            forget(&state, &id).await;
            return Err(ProblemError::Unavailable(anyhow::anyhow!(
                "upload {id} was swept before it finished"
            )));
        }
        Err(e) => {
            forget(&state, &id).await;
            return Err(e);
        }
    }
    metrics::counter!("document_stored_bytes_total").increment(size as u64);
    tracing::info!(document_id = %id, size, "document stored");
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("{BASE}/documents/{id}")))
        .json(row.metadata()))
}

/// Best-effort removal of an upload that failed half-way; the sweeper
/// finishes what this cannot.
async fn forget(state: &AppState, id: &str) {
    if let Err(e) = state.content.delete(id).await {
        tracing::warn!(document_id = %id, error = %e, "could not remove content of a failed upload; the sweeper will");
        return;
    }
    let row = id.to_owned();
    if let Err(e) = state
        .db
        .run(move |conn| documents::delete_row(conn, &row).map_err(ProblemError::from))
        .await
    {
        tracing::warn!(document_id = %id, error = %e, "could not remove a failed upload's row; the sweeper will");
    }
}

/// A visible document of `owner`; another owner's is not found, exactly
/// like one that does not exist.
async fn find(state: &AppState, owner: Owner, id: &str) -> Result<DocumentRow, ProblemError> {
    let id = id.to_owned();
    let keyring = state.keyring.clone();
    state
        .db
        .run(move |conn| documents::find(conn, &keyring, &id, &owner).map_err(ProblemError::from))
        .await?
        .ok_or(ProblemError::NotFound("document"))
}

/// Read a document's metadata.
#[utoipa::path(
    get, path = "/document/v1/documents/{id}", tag = "documents",
    params(
        ("id" = String, Path, description = "The document id (a UUID)"),
        OwnerHeaders,
    ),
    responses(
        (status = 200, description = "The metadata", body = DocumentMetadata),
        (status = 400, description = "The owner headers are missing", body = Problem, content_type = PROBLEM),
        (status = 401, description = "No valid internal credential", body = Problem, content_type = PROBLEM),
        (status = 404, description = "No such document of this owner (an unused UUID is remembered as deleted: an upload with it as X-Document-Id is refused)", body = Problem, content_type = PROBLEM),
    )
)]
pub async fn metadata(
    caller: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ProblemError> {
    Ok(HttpResponse::Ok().json(find(&state, caller.owner, &id).await?.metadata()))
}

/// Download a document's content, streamed.
#[utoipa::path(
    get, path = "/document/v1/documents/{id}/content", tag = "documents",
    params(
        ("id" = String, Path, description = "The document id (a UUID)"),
        OwnerHeaders,
    ),
    responses(
        (status = 200, description = "The content, with its sniffed Content-Type (one of DOCUMENT_ALLOWED_TYPES; by default these three) and a Content-Disposition naming the file",
            content((Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"))),
        (status = 400, description = "The owner headers are missing", body = Problem, content_type = PROBLEM),
        (status = 401, description = "No valid internal credential", body = Problem, content_type = PROBLEM),
        (status = 404, description = "No such document of this owner", body = Problem, content_type = PROBLEM),
        (status = 500, description = "The stored content is not the document's: not sealed by this service, damaged, or of another size or SHA-256 than recorded (a failure found after the answer has started drops the connection short of its Content-Length instead)", body = Problem, content_type = PROBLEM),
        (status = 503, description = "The content store is unavailable", body = Problem, content_type = PROBLEM),
    )
)]
pub async fn content(
    caller: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ProblemError> {
    let row = find(&state, caller.owner, &id).await?;
    let expected = Expected {
        size: u64::try_from(row.size).map_err(anyhow::Error::from)?,
        sha256: row.sha256.clone(),
    };
    // A failure is logged (by document id) and counted where it is found.
    let stream = state
        .content
        .get(&row.id, &expected)
        .await
        .map_err(|e| match e {
            ContentError::Store(_) => ProblemError::Unavailable(e.into()),
            ContentError::Crypto(_) | ContentError::Mismatch(_) => ProblemError::Internal(e.into()),
        })?;
    let disposition = attachment(&row.file_name);
    // Sized, not chunked: a stream that fails part-way is cut short of its
    // Content-Length and the connection dropped, so no reader can take it
    // for the whole document.
    Ok(HttpResponse::Ok()
        .content_type(row.sniffed_type.as_str())
        .insert_header(disposition)
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .no_chunking(expected.size)
        .streaming(stream.map(|chunk| {
            chunk.map_err(|_| {
                actix_web::error::ErrorInternalServerError("document content failed part-way")
            })
        })))
}

/// `Content-Disposition: attachment` naming `file_name` as RFC 6266 says:
/// a plain ASCII name as `filename`; any other with an ASCII stand-in
/// (`_` for each other character) as `filename` for old clients, and the
/// name itself, percent-encoded UTF-8, as `filename*`.
fn attachment(file_name: &str) -> ContentDisposition {
    let mut parameters = Vec::with_capacity(2);
    if file_name.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        parameters.push(DispositionParam::Filename(file_name.to_owned()));
    } else {
        let stand_in = file_name
            .chars()
            .map(|c| {
                if c.is_ascii_graphic() || c == ' ' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        parameters.push(DispositionParam::Filename(stand_in));
        parameters.push(DispositionParam::FilenameExt(header::ExtendedValue {
            charset: header::Charset::Ext("UTF-8".to_owned()),
            language_tag: None,
            value: file_name.as_bytes().to_vec(),
        }));
    }
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters,
    }
}

/// List an owner's documents, a page at a time.
#[utoipa::path(
    get, path = "/document/v1/documents", tag = "documents",
    params(
        ListQuery,
        OwnerHeaders,
    ),
    responses(
        (status = 200, description = "A page of the owner's documents, by id", body = DocumentPage),
        (status = 400, description = "A parameter or owner header is invalid", body = Problem, content_type = PROBLEM),
        (status = 401, description = "No valid internal credential", body = Problem, content_type = PROBLEM),
    )
)]
pub async fn list(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ProblemError> {
    let owner = caller.owner;
    let query: ListQuery = parse_query(req.query_string())?;
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(vec![FieldError::new("limit", "must be between 1 and 100")].into());
    }
    if query
        .cursor
        .as_deref()
        .is_some_and(|c| uuid::Uuid::parse_str(c).is_err())
    {
        return Err(vec![FieldError::new(
            "cursor",
            "is not a cursor this list returned",
        )]
        .into());
    }
    let keyring = state.keyring.clone();
    let (rows, more) = state
        .db
        .run(move |conn| {
            documents::list(
                conn,
                &keyring,
                &owner,
                query.reference.as_deref(),
                query.cursor.as_deref(),
                limit,
            )
            .map_err(ProblemError::from)
        })
        .await?;
    let next_cursor = if more {
        rows.last().map(|r| r.id.clone())
    } else {
        None
    };
    let items = rows.into_iter().map(DocumentRow::metadata).collect();
    Ok(HttpResponse::Ok().json(DocumentPage { items, next_cursor }))
}

/// Delete a document.
#[utoipa::path(
    delete, path = "/document/v1/documents/{id}", tag = "documents",
    params(
        ("id" = String, Path, description = "The document id (a UUID)"),
        OwnerHeaders,
    ),
    responses(
        (status = 204, description = "Deleted: it is no longer visible, and its content is removed"),
        (status = 400, description = "The owner headers are missing", body = Problem, content_type = PROBLEM),
        (status = 401, description = "No valid internal credential", body = Problem, content_type = PROBLEM),
        (status = 404, description = "No such document of this owner", body = Problem, content_type = PROBLEM),
    )
)]
pub async fn delete(
    caller: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ProblemError> {
    let owner = caller.owner;
    let id = id.into_inner();
    let target = id.clone();
    let keyring = state.keyring.clone();
    let hidden = state
        .db
        .run(move |conn| {
            let hidden = documents::mark_deleting(conn, &target, &owner)?;
            if !hidden && uuid::Uuid::parse_str(&target).is_ok() {
                let now = timestamp(chrono::Utc::now());
                documents::bury(conn, &keyring, &target, &owner, &now)?;
            }
            Ok::<_, ProblemError>(hidden)
        })
        .await?;
    if !hidden {
        return Err(ProblemError::NotFound("document"));
    }
    // Hidden now; if removing the content fails, the sweeper finishes it.
    forget(&state, &id).await;
    tracing::info!(document_id = %id, "document deleted");
    Ok(HttpResponse::NoContent().finish())
}
