//! A case's evidence shown inline: `GET
//! /console/cases/{caseId}/evidence/{documentId}` is a page with the
//! document in an `<img>` or an `<object>` and a download link; `.../content`
//! serves its bytes from user-action. Both first ask case-service, as the
//! signed-in case worker, whether the document is that case's evidence,
//! so a case worker reaches no other document.

use super::{acting, case_id, read_failure, require_read, Screens};
use crate::caller::Analyst;
use crate::error::{html, ConsoleError};
use crate::routes::UserActions;
use crate::views::applications::{EvidencePage, Preview, RefusedPage};
use crate::views::cases::{case_path, segment};
use crate::views::{Chrome, Nav};
use crate::wire::applications::ContentQuery;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use clients::ecm::{CaseDetails, Evidence};
use serde_json::json;

/// The policy of a document served for the evidence page: nothing runs
/// in it; it may be shown inline in the console's own pages only (an
/// `<object>` or `<img>`), and Chromium's PDF viewer, which embeds the
/// document again in its own page, needs `object-src 'self'`. No
/// `sandbox`: Chromium refuses to show a sandboxed PDF.
pub const DOCUMENT_CSP: &str =
    "default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

/// The types shown inline (what user-action serves inline).
const INLINE_TYPES: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];

/// Registers the evidence routes (inside the console's scope).
pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/cases/{caseId}/evidence/{documentId}").route(web::get().to(show)))
        .service(
            web::resource("/cases/{caseId}/evidence/{documentId}/content")
                .route(web::get().to(content)),
        );
}

/// `GET /console/cases/{caseId}/evidence/{documentId}`.
pub async fn show(
    analyst: Analyst,
    screens: web::Data<Screens>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    require_read(&analyst)?;
    let (case_id, document_id) = match ids(&path) {
        Ok(ids) => ids,
        Err(refusal) => return Ok(refused(&analyst, &refusal)),
    };
    let (_, evidence) = find(&screens, &analyst, &case_id, &document_id).await?;
    let base = format!(
        "{}/evidence/{}/content",
        case_path(&case_id),
        segment(&document_id)
    );
    let preview = match evidence.file_type.as_str() {
        "application/pdf" => Preview::Pdf,
        "image/png" | "image/jpeg" => Preview::Image,
        _ => Preview::None,
    };
    let title = format!("{} (case {case_id})", evidence.file_name);
    Ok(html(
        StatusCode::OK,
        &EvidencePage {
            chrome: Chrome::signed_in(&analyst.session, &title, Nav::Cases),
            back: format!("{}?tab=evidence", case_path(&case_id)),
            case_id,
            file_name: evidence.file_name,
            file_type: evidence.file_type,
            size: evidence.size,
            action: evidence.user_action_identifier,
            added_at: evidence.added_at,
            preview,
            download: format!("{base}?download=1"),
            content: base,
        },
    ))
}

/// `GET /console/cases/{caseId}/evidence/{documentId}/content[?download=1]`:
/// the document's bytes, as user-action serves them, never cached.
pub async fn content(
    analyst: Analyst,
    screens: web::Data<Screens>,
    user_actions: web::Data<UserActions>,
    path: web::Path<(String, String)>,
    query: web::Query<ContentQuery>,
) -> Result<HttpResponse, ConsoleError> {
    require_read(&analyst)?;
    let (case_id, document_id) = match ids(&path) {
        Ok(ids) => ids,
        Err(refusal) => return Ok(refused(&analyst, &refusal)),
    };
    let (application_id, evidence) = find(&screens, &analyst, &case_id, &document_id).await?;
    let (content_type, bytes) = user_actions
        .client
        .document_content(
            &application_id,
            &document_id,
            Some(&analyst.session.subject),
        )
        .await
        .map_err(ConsoleError::from)?
        .ok_or(ConsoleError::NotFound)?;
    let inline = INLINE_TYPES.contains(&content_type.as_str());
    let disposition = if inline && query.download != "1" {
        "inline".to_owned()
    } else {
        format!(
            "attachment; filename*=UTF-8''{}",
            segment(&evidence.file_name)
        )
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::CONTENT_SECURITY_POLICY, DOCUMENT_CSP))
        // Shown in the console's own pages only.
        .insert_header((header::X_FRAME_OPTIONS, "SAMEORIGIN"))
        .body(bytes))
}

/// The case id and document id of the address, or what is wrong with
/// them.
fn ids(path: &(String, String)) -> Result<(String, String), String> {
    let (raw_case, raw_document) = path;
    let case_id = case_id(raw_case).map_err(|_| {
        format!(
            "\"{}\" is not a case id: a case id has 1 to 64 characters. Check the address, or open the case from the inbox.",
            shown(raw_case)
        )
    })?;
    if !is_document_id(raw_document) {
        return Err(format!(
            "\"{}\" is not a document id: a document id is a lower-case UUID. Open the document from its case's evidence tab.",
            shown(raw_document)
        ));
    }
    Ok((case_id, raw_document.clone()))
}

/// At most 80 characters of `raw`, control characters dropped: enough
/// to recognise what was sent.
fn shown(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_control()).take(80).collect()
}

/// Whether `text` is a document id: a lower-case hyphenated UUID.
fn is_document_id(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        })
}

/// The 400 page naming what was wrong in the address.
fn refused(analyst: &Analyst, message: &str) -> HttpResponse {
    html(
        StatusCode::BAD_REQUEST,
        &RefusedPage {
            chrome: Chrome::signed_in(&analyst.session, "Not a valid address", Nav::Cases),
            message: message.to_owned(),
        },
    )
}

/// Case `case_id`'s application and its evidence `document_id`, as the
/// case worker reads the case; a case without an application, or without
/// that document, is no such page.
async fn find(
    screens: &Screens,
    analyst: &Analyst,
    case_id: &str,
    document_id: &str,
) -> Result<(String, Evidence), ConsoleError> {
    let details: CaseDetails = screens
        .ecm
        .op(
            "getCaseDetails",
            &acting(analyst),
            &json!({"caseId": case_id, "limit": 1}),
        )
        .await
        .map_err(read_failure)?;
    let application = details.application.ok_or(ConsoleError::NotFound)?;
    let evidence = application
        .evidence
        .into_iter()
        .find(|e| e.document_id == document_id)
        .ok_or(ConsoleError::NotFound)?;
    Ok((application.application_id, evidence))
}
