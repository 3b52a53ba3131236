//! uploadDocument and getDocument: files for DocumentUpload actions, kept
//! in document-service and attached to the action here.

use super::body::{json_body, small_body};
use super::AppState;
use crate::caller::Caller;
use crate::error::{CamError, ErrorCode};
use crate::rows::{document_owner, AuditRow, DocumentRow};
use crate::store;
use crate::store::actions::{Admission, DocumentLimits};
use crate::store::intents;
use crate::wire::{DocumentQuery, Documents, Fabric, FabricError, StoredFile, Upload, Uploaded};
use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine;
use bytes::Bytes;
use clients::{DocumentClient, NewDocument, StoreError};
use domain::document::{DocumentMetadata, Owner};
use futures_util::stream::{self, StreamExt, TryStreamExt};
use serde_json::Value;

/// The most files one upload takes.
const MAX_FILES: usize = 10;

/// document-service's refusal of file `index`, in CAM terms: a file rule
/// keeps its own code, an invalid field is named in the file. Anything
/// else is a fault between the services.
fn refused(e: StoreError, index: usize) -> CamError {
    match e {
        StoreError::Refused(refusal) => CamError::new(
            refusal
                .rule
                .map_or(ErrorCode::InvalidField, ErrorCode::of_file_rule),
            format!("Response[{index}].{}: {}", refusal.field, refusal.message),
        ),
        StoreError::Call(e) => CamError::from_peer(e),
    }
}

/// The refusal of documents that would pass a limit.
fn over_limit(admission: Admission, limits: &DocumentLimits) -> Result<(), CamError> {
    match admission {
        Admission::Admitted => Ok(()),
        Admission::TooManyDocuments => Err(CamError::new(
            ErrorCode::DocumentLimit,
            format!(
                "Response: an action holds at most {} documents",
                limits.documents_per_action
            ),
        )),
        Admission::TooManyBytes => Err(CamError::new(
            ErrorCode::DocumentBytesLimit,
            format!(
                "Response: an application's documents hold at most {} bytes",
                limits.bytes_per_application
            ),
        )),
    }
}

/// The bytes `base64` decodes to, counting only its alphabet: never more
/// than document-service will store, so the check before storing refuses
/// nothing the one as they are attached would admit.
fn decoded_len(base64: &str) -> u64 {
    let symbols = base64
        .bytes()
        .filter(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
        .count();
    (symbols as u64) * 3 / 4
}

/// Removes documents sent for an upload that then failed, and forgets the
/// intents of those removed and of `unsent` (never made). One
/// document-service cannot delete keeps its intent: the sweep removes it.
async fn forget(state: &AppState, caller: &Caller, sent: &[String], unsent: &[String]) {
    let mut gone = unsent.to_vec();
    for id in sent {
        match state
            .documents
            .delete(&document_owner(&caller.subject), id)
            .await
        {
            Ok(_) => gone.push(id.clone()),
            Err(e) => {
                tracing::error!(document_id = %id, error = %e, "could not delete a document of a failed upload")
            }
        }
    }
    state.forget_intents(intents::DOCUMENT, gone).await;
}

/// Store files for one of the caller's DocumentUpload actions.
#[utoipa::path(
    post, path = "/services/data/v1/CustomerActionsManagement/operations/UserAction/uploadDocument", tag = "UserAction",
    request_body = Upload,
    security(("appKey" = [], "appSecret" = [], "userToken" = [])),
    responses(
        (status = 200, description = "Stored and attached", body = Fabric<Uploaded>, example = json!({"Response": [{"fileName": "techspectemplate.pdf", "fileClientId": 1627265913230_u64, "fileInfo": "", "documentId": "3b18b79d-2fd5-4197-844b-87be10302a3e", "fileType": "application/pdf"}], "opstatus": 0, "httpStatusCode": 200})),
        (status = 400, description = "A field or file rule is broken (dbpErrCode names the rule); nothing was stored", body = FabricError),
        (status = 401, description = "No app credentials or end-user token", body = FabricError),
        (status = 404, description = "No such action of the caller", body = FabricError),
        (status = 409, description = "The action does not take documents now (its status, or its application is withdrawn or decided), or holds USER_ACTION_MAX_DOCUMENTS_PER_ACTION already with these (10307), or its application was erased (10310); nothing was stored", body = FabricError),
        (status = 413, description = "A file or the body is too large, or the application's documents would pass USER_ACTION_MAX_BYTES_PER_APPLICATION (10308); nothing was stored", body = FabricError),
        (status = 503, description = "document-service is unavailable; nothing was stored", body = FabricError),
        (status = 504, description = "document-service timed out; nothing was stored", body = FabricError),
    )
)]
pub async fn upload_document(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<Fabric<Uploaded>, CamError> {
    let (upload, _): (Upload, _) = json_body(&req, payload, state.upload_limit).await?;
    if upload.user_action_identifier.trim().is_empty() {
        return Err(CamError::new(
            ErrorCode::MissingField,
            "UserActionIdentifier: is required",
        ));
    }
    if upload.response.is_empty() || upload.response.len() > MAX_FILES {
        return Err(CamError::invalid(
            "Response",
            format!("must hold 1 to {MAX_FILES} files"),
        ));
    }
    let (action, application, definition) = state
        .owned_action(&caller, &upload.user_action_identifier, false)
        .await?;
    state
        .refuse_erased(&application.id, "UserActionIdentifier")
        .await?;
    super::actions_open(&application)?;
    if definition.action_type != "DocumentUpload" {
        return Err(CamError::new(
            ErrorCode::WrongActionType,
            format!("UserActionIdentifier: {} is a {} action; only DocumentUpload actions take documents", action.identifier, definition.action_type),
        ));
    }
    if action.status != "Created" && action.status != "Rejected" {
        return Err(CamError::new(
            ErrorCode::ForbiddenTransition,
            format!("UserActionIdentifier: documents are added while an action is Created or Rejected, and {} is {}", action.identifier, action.status),
        ));
    }
    // Checked here so that files past a limit are never stored; checked
    // again as they are attached, where uploads at once queue.
    let limits = state.document_limits;
    let (application_id, action_id) = (application.id.clone(), action.id.clone());
    let held = state
        .db(move |conn| store::actions::holdings(conn, &application_id, &action_id))
        .await?;
    let sending = upload
        .response
        .iter()
        .map(|f| decoded_len(&f.file_contents))
        .sum();
    over_limit(limits.admit(held, upload.response.len(), sending), &limits)?;
    let mut stored: Vec<DocumentMetadata> = Vec::new();
    // The ids are recorded before anything is stored, so that the sweep
    // finds what a crash leaves.
    let ids: Vec<String> = upload
        .response
        .iter()
        .map(|_| uuid::Uuid::new_v4().to_string())
        .collect();
    state
        .intend(intents::DOCUMENT, ids.clone(), &caller)
        .await?;
    // Every id sent, stored or not: a store whose answer was lost (a
    // timeout, a restart) may have stored it all the same.
    let mut sent: Vec<String> = Vec::new();
    for ((index, file), id) in upload.response.iter().enumerate().zip(&ids) {
        let document = NewDocument {
            reference: &action.identifier,
            file_name: &file.file_name,
            file_type: &file.file_type,
            file_info: &file.file_info,
            file_client_id: file.file_client_id.as_ref(),
            file_contents: &file.file_contents,
        };
        sent.push(id.clone());
        match state
            .documents
            .store(&document_owner(&caller.subject), id, &document)
            .await
        {
            Ok(metadata) => stored.push(metadata),
            Err(e) => {
                forget(&state, &caller, &sent, &ids[sent.len()..]).await;
                return Err(refused(e, index));
            }
        }
    }
    let now = service_kit::db::timestamp(chrono::Utc::now());
    let rows: Vec<DocumentRow> = stored
        .iter()
        .zip(&upload.response)
        .map(|(metadata, file)| DocumentRow {
            document_id: metadata.id.clone(),
            action_id: action.id.clone(),
            file_name: file.file_name.clone(),
            file_type: file.file_type.clone(),
            file_info: file.file_info.clone(),
            file_client_id: file.file_client_id.as_ref().map(Value::to_string),
            created_at: now.clone(),
            size: metadata.size,
            sealed: false,
            sha256: metadata.sha256.clone(),
        })
        .collect();
    let events: Vec<AuditRow> = rows
        .iter()
        .map(|r| {
            AuditRow::now(
                &application.id,
                &caller.subject,
                "document-attached",
                &action.identifier,
                None,
                Some(&r.document_id),
            )
        })
        .collect();
    let attach = rows.clone();
    let (application_id, action_id) = (application.id.clone(), action.id.clone());
    let keyring = state.keyring.clone();
    let attached = state
        .db(move |conn| {
            let (application, action) = (&application_id, &action_id);
            store::actions::attach(
                conn,
                &keyring,
                application,
                action,
                &attach,
                &events,
                &limits,
            )
        })
        .await;
    if let Ok(admission) = attached {
        if let Err(refusal) = over_limit(admission, &limits) {
            forget(&state, &caller, &sent, &[]).await;
            return Err(refusal);
        }
    }
    if let Err(e) = attached {
        // A commit whose connection was lost may have happened all the
        // same: when every document turns out attached, that is the
        // answer; otherwise only documents known not to be attached are
        // deleted.
        let (action_id, keyring) = (action.id.clone(), state.keyring.clone());
        match state
            .db(move |conn| store::actions::documents_of(conn, &keyring, &action_id))
            .await
        {
            Ok(attached) => {
                sent.retain(|id| !attached.iter().any(|row| &row.document_id == id));
                if !sent.is_empty() {
                    forget(&state, &caller, &sent, &[]).await;
                    return Err(e);
                }
                tracing::warn!(action_id = %action.id, "an attachment's commit was in doubt and did happen");
            }
            Err(_) => {
                for id in &sent {
                    tracing::error!(document_id = %id, "kept a document whose attachment is in doubt");
                }
                return Err(e);
            }
        }
    }
    tracing::info!(action_id = %action.id, files = rows.len(), "documents attached");
    let response = rows
        .into_iter()
        .zip(upload.response)
        .map(|(row, file)| StoredFile {
            file_name: row.file_name,
            file_client_id: file.file_client_id,
            file_info: row.file_info,
            document_id: row.document_id,
            file_type: row.file_type,
        })
        .collect();
    Ok(Fabric::ok(Uploaded { response }))
}

/// The documents attached to one of the caller's actions, with content.
#[utoipa::path(
    post, path = "/services/data/v1/CustomerActionsManagement/operations/UserAction/getDocument", tag = "UserAction",
    request_body = DocumentQuery,
    security(("appKey" = [], "appSecret" = [], "userToken" = [])),
    responses(
        (status = 200, description = "The documents: metadata and base64 content, written one document at a time (a document that cannot be read after the first ends the answer short of its closing bytes, and the connection is dropped)", body = Fabric<Documents>),
        (status = 401, description = "No app credentials or end-user token", body = FabricError),
        (status = 404, description = "No such action or document of the caller", body = FabricError),
        (status = 500, description = "An attached document is missing", body = FabricError),
        (status = 503, description = "document-service is unavailable, or failed to give the first document (its content failed its integrity check)", body = FabricError),
    )
)]
pub async fn get_document(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, CamError> {
    let (query, _): (DocumentQuery, _) = small_body(&req, payload).await?;
    let (action, _, _) = state
        .owned_action(&caller, &query.user_action_identifier, false)
        .await?;
    let (action_id, keyring) = (action.id.clone(), state.keyring.clone());
    let mut rows = state
        .db(move |conn| store::actions::documents_of(conn, &keyring, &action_id))
        .await?;
    if let Some(wanted) = &query.document_id {
        rows.retain(|r| &r.document_id == wanted);
        if rows.is_empty() {
            return Err(CamError::new(
                ErrorCode::DocumentNotFound,
                "documentId: no such document of this action",
            ));
        }
    }
    let owner = document_owner(&caller.subject);
    // The first document is read before the answer starts, so that the
    // usual failures (document-service down, a document gone or failing its
    // check) are answered in the envelope; a later one can only end the
    // answer short of its closing bytes.
    let first = match rows.first() {
        Some(row) => Some(content_of(&state.documents, &owner, &row.document_id).await?),
        None => None,
    };
    let (head, tail) = Documents::frame(action.identifier).map_err(CamError::internal)?;
    let documents = state.documents.clone();
    let mut first = first;
    let files = stream::iter(rows.into_iter().enumerate())
        .then(move |(index, row)| {
            let (documents, owner, ready) = (documents.clone(), owner.clone(), first.take());
            async move {
                let content = match ready {
                    Some(content) => content,
                    None => content_of(&documents, &owner, &row.document_id)
                        .await
                        .map_err(|e| {
                            tracing::error!(document_id = %row.document_id, error = %e, "getDocument ends short: a document could not be read");
                            actix_web::error::ErrorServiceUnavailable("a document could not be read")
                        })?,
                };
                let (before, after) = row
                    .attached(String::new())
                    .frame()
                    .map_err(actix_web::error::ErrorInternalServerError)?;
                let separator = if index == 0 { "" } else { "," };
                let opening = Bytes::from([separator.as_bytes(), &before].concat());
                Ok::<_, actix_web::Error>(
                    stream::iter([opening])
                        .chain(base64_pieces(content))
                        .chain(stream::iter([Bytes::from(after)]))
                        .map(Ok::<_, actix_web::Error>),
                )
            }
        })
        .try_flatten();
    let answer = stream::iter([Ok::<_, actix_web::Error>(Bytes::from(head))])
        .chain(files)
        .chain(stream::iter([Ok(Bytes::from(tail))]));
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .streaming(answer))
}

/// A document's content, whole (document-service has checked it against
/// its recorded size and SHA-256; a failure part-way is an error here).
async fn content_of(
    documents: &DocumentClient,
    owner: &Owner,
    id: &str,
) -> Result<Bytes, CamError> {
    documents
        .content(owner, id)
        .await
        .map_err(CamError::from_peer)?
        .ok_or_else(|| CamError::internal(anyhow::anyhow!("attached document {id} is missing")))
}

/// Plaintext encoded per this many bytes (a multiple of 3, so the pieces
/// join into one base64 text without padding between them).
const BASE64_PIECE: usize = 48 * 1024;

/// `content` as base64, a piece at a time, so no second whole copy of a
/// file is ever held.
fn base64_pieces(content: Bytes) -> impl futures_util::Stream<Item = Bytes> {
    let pieces = content.len().div_ceil(BASE64_PIECE);
    stream::iter((0..pieces).map(move |i| {
        let end = content.len().min((i + 1) * BASE64_PIECE);
        let piece = &content[i * BASE64_PIECE..end];
        Bytes::from(base64::engine::general_purpose::STANDARD.encode(piece))
    }))
}
