//! uploadDocument and getDocument: files for DocumentUpload actions, kept
//! in document-service and attached to the action here.

use super::body::{json_body, small_body};
use super::AppState;
use crate::caller::Caller;
use crate::error::{CamError, ErrorCode};
use crate::rows::{document_owner, AuditRow, DocumentRow};
use crate::store;
use crate::store::intents;
use crate::wire::{DocumentQuery, Documents, Fabric, FabricError, StoredFile, Upload, Uploaded};
use actix_web::{web, HttpRequest};
use base64::Engine;
use clients::{NewDocument, StoreError};
use domain::document::DocumentMetadata;
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
        (status = 409, description = "The action does not take documents now", body = FabricError),
        (status = 413, description = "A file or the body is too large; nothing was stored", body = FabricError),
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
    if let Err(e) = state
        .db(move |conn| store::actions::attach(conn, &attach, &events))
        .await
    {
        // A commit whose connection was lost may have happened all the
        // same: when every document turns out attached, that is the
        // answer; otherwise only documents known not to be attached are
        // deleted.
        let action_id = action.id.clone();
        match state
            .db(move |conn| store::actions::documents_of(conn, &action_id))
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
        (status = 200, description = "The documents: metadata and base64 content", body = Fabric<Documents>),
        (status = 401, description = "No app credentials or end-user token", body = FabricError),
        (status = 404, description = "No such action or document of the caller", body = FabricError),
        (status = 503, description = "document-service is unavailable", body = FabricError),
    )
)]
pub async fn get_document(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<Fabric<Documents>, CamError> {
    let (query, _): (DocumentQuery, _) = small_body(&req, payload).await?;
    let (action, _, _) = state
        .owned_action(&caller, &query.user_action_identifier, false)
        .await?;
    let action_id = action.id.clone();
    let mut rows = state
        .db(move |conn| store::actions::documents_of(conn, &action_id))
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
    let mut response = Vec::new();
    for row in rows {
        let content = state
            .documents
            .content(&document_owner(&caller.subject), &row.document_id)
            .await
            .map_err(CamError::from_peer)?
            .ok_or_else(|| {
                CamError::internal(anyhow::anyhow!(
                    "attached document {} is missing",
                    row.document_id
                ))
            })?;
        response.push(row.attached(base64::engine::general_purpose::STANDARD.encode(&content)));
    }
    Ok(Fabric::ok(Documents {
        user_action_identifier: action.identifier,
        response,
    }))
}
