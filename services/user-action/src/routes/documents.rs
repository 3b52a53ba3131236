//! uploadDocument and getDocument: files for DocumentUpload actions, kept
//! in document-service and attached to the action here.

use super::actions::owned_action;
use super::{json_body, ok, small_body, State};
use crate::auth::Caller;
use crate::error::{CamError, Code};
use crate::rows::{AuditRow, DocumentRow};
use crate::store;
use crate::wire::{DocumentQuery, Upload};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine;
use clients::{CallError, NewDocument};
use domain::document::{DocumentMetadata, Owner};
use serde_json::{json, Map, Value};

/// The most files one upload takes.
const MAX_FILES: usize = 10;

/// The document-service owner of a caller's documents.
fn owner(subject: &str) -> Owner {
    Owner {
        system: "user-action".to_owned(),
        subject: subject.to_owned(),
    }
}

/// A document-service refusal of file `index`, in CAM terms: a file rule
/// keeps its own code; anything else names the file's field.
fn refused(e: CallError, index: usize) -> CamError {
    if let CallError::Status { status, body, .. } = &e {
        if status.is_client_error() {
            let kind = body["type"].as_str().unwrap_or_default();
            let slug = kind.rsplit(':').next().unwrap_or_default();
            let field = body["errors"][0]["field"].as_str().unwrap_or("file");
            let message = body["errors"][0]["message"]
                .as_str()
                .unwrap_or("is invalid");
            let code = Code::of_file_rule(slug).unwrap_or(Code::InvalidField);
            let status = StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_REQUEST);
            return CamError::new(
                code,
                status,
                format!("Response[{index}].{field}: {message}"),
            );
        }
    }
    CamError::from_peer(e)
}

/// Removes documents stored for an upload that then failed.
async fn forget(state: &State, caller: &Caller, ids: &[String]) {
    for id in ids {
        if let Err(e) = state.documents.delete(&owner(&caller.subject), id).await {
            tracing::error!(document_id = %id, error = %e, "could not delete a document of a failed upload");
        }
    }
}

/// Store files for one of the caller's DocumentUpload actions.
#[utoipa::path(
    post, path = "/services/data/v1/CustomerActionsManagement/operations/UserAction/uploadDocument", tag = "UserAction",
    request_body = Upload,
    security(("appKey" = [], "appSecret" = [], "userToken" = [])),
    responses(
        (status = 200, description = "Stored and attached", body = Object, example = json!({"Response": [{"fileName": "techspectemplate.pdf", "fileClientId": 1627265913230_u64, "fileInfo": "", "documentId": "3b18b79d-2fd5-4197-844b-87be10302a3e", "fileType": "application/pdf"}], "opstatus": 0, "httpStatusCode": 200})),
        (status = 400, description = "A field or file rule is broken (dbpErrCode names the rule); nothing was stored", body = crate::error::FabricError),
        (status = 401, description = "No app credentials or end-user token", body = crate::error::FabricError),
        (status = 404, description = "No such action of the caller", body = crate::error::FabricError),
        (status = 409, description = "The action does not take documents now", body = crate::error::FabricError),
        (status = 413, description = "A file or the body is too large; nothing was stored", body = crate::error::FabricError),
        (status = 503, description = "document-service is unavailable; nothing was stored", body = crate::error::FabricError),
        (status = 504, description = "document-service timed out; nothing was stored", body = crate::error::FabricError),
    )
)]
pub async fn upload_document(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
) -> Result<HttpResponse, CamError> {
    let caller = state.caller(&req)?;
    let (upload, _): (Upload, _) = json_body(&req, payload, state.upload_limit).await?;
    if upload.user_action_identifier.trim().is_empty() {
        return Err(CamError::new(
            Code::MissingField,
            StatusCode::BAD_REQUEST,
            "UserActionIdentifier: is required",
        ));
    }
    if upload.response.is_empty() || upload.response.len() > MAX_FILES {
        return Err(CamError::invalid(
            "Response",
            format!("must hold 1 to {MAX_FILES} files"),
        ));
    }
    let (action, application, definition) =
        owned_action(&state, &caller, &upload.user_action_identifier, false).await?;
    if definition.action_type != "DocumentUpload" {
        return Err(CamError::new(
            Code::WrongActionType,
            StatusCode::BAD_REQUEST,
            format!("UserActionIdentifier: {} is a {} action; only DocumentUpload actions take documents", action.identifier, definition.action_type),
        ));
    }
    if action.status != "Created" && action.status != "Rejected" {
        return Err(CamError::new(
            Code::ForbiddenTransition,
            StatusCode::CONFLICT,
            format!("UserActionIdentifier: documents are added while an action is Created or Rejected, and {} is {}", action.identifier, action.status),
        ));
    }
    let mut stored: Vec<DocumentMetadata> = Vec::new();
    // Every id sent, stored or not: a store whose answer was lost (a
    // timeout, a restart) may have stored it all the same.
    let mut sent: Vec<String> = Vec::new();
    for (index, file) in upload.response.iter().enumerate() {
        let document = NewDocument {
            reference: &action.identifier,
            file_name: &file.file_name,
            file_type: &file.file_type,
            file_info: &file.file_info,
            file_client_id: file.file_client_id.as_ref(),
            file_contents: &file.file_contents,
        };
        let id = uuid::Uuid::new_v4().to_string();
        sent.push(id.clone());
        match state
            .documents
            .store(&owner(&caller.subject), &id, &document)
            .await
        {
            Ok(metadata) => stored.push(metadata),
            Err(e) => {
                forget(&state, &caller, &sent).await;
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
        // same: only documents known not to be attached are deleted.
        let action_id = action.id.clone();
        match state
            .db(move |conn| store::actions::documents_of(conn, &action_id))
            .await
        {
            Ok(attached) => {
                sent.retain(|id| !attached.iter().any(|row| &row.document_id == id));
                forget(&state, &caller, &sent).await;
            }
            Err(_) => {
                for id in &sent {
                    tracing::error!(document_id = %id, "kept a document whose attachment is in doubt");
                }
            }
        }
        return Err(e);
    }
    tracing::info!(action_id = %action.id, files = rows.len(), "documents attached");
    let items: Vec<Value> = rows
        .iter()
        .zip(&upload.response)
        .map(|(row, file)| {
            json!({"fileName": row.file_name, "fileClientId": file.file_client_id, "fileInfo": row.file_info,
                   "documentId": row.document_id, "fileType": row.file_type})
        })
        .collect();
    let mut answer = Map::new();
    answer.insert("Response".into(), Value::Array(items));
    Ok(ok(answer))
}

/// The documents attached to one of the caller's actions, with content.
#[utoipa::path(
    post, path = "/services/data/v1/CustomerActionsManagement/operations/UserAction/getDocument", tag = "UserAction",
    request_body = DocumentQuery,
    security(("appKey" = [], "appSecret" = [], "userToken" = [])),
    responses(
        (status = 200, description = "The documents: metadata and base64 content", body = Object),
        (status = 401, description = "No app credentials or end-user token", body = crate::error::FabricError),
        (status = 404, description = "No such action or document of the caller", body = crate::error::FabricError),
        (status = 503, description = "document-service is unavailable", body = crate::error::FabricError),
    )
)]
pub async fn get_document(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
) -> Result<HttpResponse, CamError> {
    let caller = state.caller(&req)?;
    let (query, _): (DocumentQuery, _) = small_body(&req, payload).await?;
    let (action, _, _) =
        owned_action(&state, &caller, &query.user_action_identifier, false).await?;
    let action_id = action.id.clone();
    let mut rows = state
        .db(move |conn| store::actions::documents_of(conn, &action_id))
        .await?;
    if let Some(wanted) = &query.document_id {
        rows.retain(|r| &r.document_id == wanted);
        if rows.is_empty() {
            return Err(CamError::new(
                Code::DocumentNotFound,
                StatusCode::NOT_FOUND,
                "documentId: no such document of this action",
            ));
        }
    }
    let mut items = Vec::new();
    for row in rows {
        let content = state
            .documents
            .content(&owner(&caller.subject), &row.document_id)
            .await
            .map_err(CamError::from_peer)?
            .ok_or_else(|| {
                CamError::internal(anyhow::anyhow!(
                    "attached document {} is missing",
                    row.document_id
                ))
            })?;
        let client_id: Value = row
            .file_client_id
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or(Value::Null);
        items.push(json!({
            "documentId": row.document_id, "fileName": row.file_name, "fileType": row.file_type,
            "fileInfo": row.file_info, "fileClientId": client_id,
            "fileContents": base64::engine::general_purpose::STANDARD.encode(&content),
        }));
    }
    let mut answer = Map::new();
    answer.insert("UserActionIdentifier".into(), json!(action.identifier));
    answer.insert("Response".into(), Value::Array(items));
    Ok(ok(answer))
}
