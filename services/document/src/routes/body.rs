//! Reading an upload, in either form, without ever holding more than the
//! limit allows: a JSON body with base64 content (the seed's `Response[]`
//! item plus `reference`), or a `multipart/form-data` form. The forms as
//! the API documents them are in [`crate::wire::documents`]; this is how
//! they are read and checked.

use crate::wire::documents::JsonUpload;
use actix_multipart::{Multipart, MultipartError};
use actix_web::http::header;
use actix_web::{web, HttpRequest};
use base64::Engine;
use bytes::{Bytes, BytesMut};
use domain::document::FileRule;
use domain::text::longer_than;
use futures_util::StreamExt;
use service_kit::body::{is_json, parse_json_object, read_failure, read_limited};
use service_kit::InputError;
use std::borrow::Cow;

/// Why an upload could not be read.
#[derive(Debug)]
pub enum UploadError {
    /// The request is malformed (a missing field, not JSON, ...).
    Input(InputError),
    /// The file broke a file rule.
    Rule(FileRule),
}

impl From<InputError> for UploadError {
    fn from(e: InputError) -> Self {
        Self::Input(e)
    }
}

/// An upload, read and decoded but not yet checked against the rules.
#[derive(Debug)]
pub struct Upload {
    /// What the document answers.
    pub reference: String,
    /// The file name, as sent.
    pub file_name: String,
    /// The declared media type.
    pub declared_type: String,
    /// The caller's note.
    pub file_info: String,
    /// The caller's id of the file (a number or a string), as sent.
    pub file_client_id: Option<serde_json::Value>,
    /// The content.
    pub content: Bytes,
}

/// The longest `reference` accepted, and the longest text form field.
const MAX_REFERENCE_CHARS: usize = 256;
const MAX_TEXT_FIELD_BYTES: usize = 4096;

/// The largest JSON body that can carry `max_bytes` of content: base64
/// grows content by 4/3, line breaks by a little more, and the other fields
/// need some room.
fn json_body_limit(max_bytes: usize) -> usize {
    max_bytes / 3 * 4 * 103 / 100 + 64 * 1024
}

/// Reads an upload in whichever form the request's media type says.
pub async fn read(
    req: &HttpRequest,
    payload: web::Payload,
    max_bytes: usize,
) -> Result<Upload, UploadError> {
    if is_json(req) {
        read_json(req, payload, max_bytes).await
    } else if is_multipart(req) {
        read_multipart(req, payload, max_bytes).await
    } else {
        Err(InputError::UnsupportedMediaType {
            expected: "application/json or multipart/form-data",
        }
        .into())
    }
}

fn is_multipart(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"))
}

async fn read_json(
    req: &HttpRequest,
    payload: web::Payload,
    max_bytes: usize,
) -> Result<Upload, UploadError> {
    let body = read_limited(req, payload, json_body_limit(max_bytes))
        .await
        .map_err(|e| match e {
            InputError::TooLarge { .. } => UploadError::Rule(FileRule::TooLarge(max_bytes)),
            other => UploadError::Input(other),
        })?;
    let sent: JsonUpload = parse_json_object(&body)?;
    drop(body);
    check_reference(&sent.reference)?;
    if let Some(id) = &sent.file_client_id {
        if !(id.is_number() || id.is_string()) {
            return Err(InputError::field("fileClientId", "must be a number or a string").into());
        }
    }
    check_texts(&sent.file_info, sent.file_client_id.as_ref())?;
    domain::document::check_file_name(&sent.file_name).map_err(UploadError::Rule)?;
    let content = decode_base64(&sent.file_contents, max_bytes)?;
    Ok(Upload {
        reference: sent.reference,
        file_name: sent.file_name,
        declared_type: sent.file_type,
        file_info: sent.file_info,
        file_client_id: sent.file_client_id,
        content,
    })
}

fn check_reference(reference: &str) -> Result<(), InputError> {
    if reference.trim().is_empty() || longer_than(reference, MAX_REFERENCE_CHARS) {
        return Err(InputError::field(
            "reference",
            format!("must be 1 to {MAX_REFERENCE_CHARS} characters"),
        ));
    }
    check_no_control("reference", reference, false)
}

/// The longest `fileInfo`, in characters: a note about the file, not a
/// second file (unbounded, 2.5 MB of it was stored).
pub const MAX_FILE_INFO_CHARS: usize = 1_000;
/// The longest `fileClientId`, a string or a number's digits.
pub const MAX_FILE_CLIENT_ID_CHARS: usize = 64;

/// Checks the free-text fields: each is bounded; `fileInfo` may hold line
/// breaks and tabs, nothing else may hold a control character.
/// (PostgreSQL cannot store a NUL in text at all: unchecked, one was a 500
/// there and stored on SQLite.)
fn check_texts(
    file_info: &str,
    file_client_id: Option<&serde_json::Value>,
) -> Result<(), InputError> {
    check_length("fileInfo", file_info, MAX_FILE_INFO_CHARS)?;
    check_no_control("fileInfo", file_info, true)?;
    match file_client_id {
        Some(serde_json::Value::String(id)) => {
            check_length("fileClientId", id, MAX_FILE_CLIENT_ID_CHARS)?;
            check_no_control("fileClientId", id, false)
        }
        // A number keeps the digits it was sent with (the workspace reads
        // JSON numbers exactly), so its text is bounded too.
        Some(number) => check_length(
            "fileClientId",
            &number.to_string(),
            MAX_FILE_CLIENT_ID_CHARS,
        ),
        None => Ok(()),
    }
}

fn check_length(field: &str, text: &str, max: usize) -> Result<(), InputError> {
    if longer_than(text, max) {
        return Err(InputError::field(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(())
}

fn check_no_control(field: &str, text: &str, line_breaks: bool) -> Result<(), InputError> {
    let allowed = |c: char| line_breaks && matches!(c, '\t' | '\n' | '\r');
    if text.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(InputError::field(
            field,
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// Decodes base64 content, tolerating a `data:` URL prefix and line breaks.
fn decode_base64(text: &str, max_bytes: usize) -> Result<Bytes, UploadError> {
    let text = match text
        .strip_prefix("data:")
        .and_then(|rest| rest.split_once(";base64,"))
    {
        Some((_, data)) => data,
        None => text,
    };
    // Most clients send one unbroken line, decoded where it lies; only
    // content with line breaks is copied without them (the copy, byte by
    // byte, was a sixth of an upload's time).
    let compact: Cow<[u8]> = if text.bytes().any(|b| b.is_ascii_whitespace()) {
        Cow::Owned(text.bytes().filter(|b| !b.is_ascii_whitespace()).collect())
    } else {
        Cow::Borrowed(text.as_bytes())
    };
    if compact.is_empty() {
        return Err(UploadError::Rule(FileRule::Empty));
    }
    if base64::decoded_len_estimate(compact.len()) > max_bytes + 3 {
        return Err(UploadError::Rule(FileRule::TooLarge(max_bytes)));
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&compact)
        .map_err(|_| UploadError::Rule(FileRule::BadBase64))?;
    if decoded.len() > max_bytes {
        return Err(UploadError::Rule(FileRule::TooLarge(max_bytes)));
    }
    Ok(Bytes::from(decoded))
}

async fn read_multipart(
    req: &HttpRequest,
    payload: web::Payload,
    max_bytes: usize,
) -> Result<Upload, UploadError> {
    let mut form = Multipart::new(req.headers(), payload);
    let (mut reference, mut file_info, mut file_client_id, mut file) =
        (None, String::new(), None, None);
    while let Some(field) = form.next().await {
        let mut field = field.map_err(form_error)?;
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => {
                let file_name = field
                    .content_disposition()
                    .and_then(|cd| cd.get_filename())
                    .map(str::to_owned)
                    .ok_or_else(|| {
                        UploadError::Input(InputError::field("file", "must have a filename"))
                    })?;
                let declared = field
                    .content_type()
                    .map(|m| m.essence_str().to_owned())
                    .ok_or_else(|| {
                        UploadError::Input(InputError::field("file", "must have a Content-Type"))
                    })?;
                domain::document::check_file_name(&file_name).map_err(UploadError::Rule)?;
                let content = read_field(&mut field, max_bytes)
                    .await
                    .map_err(|e| e.unwrap_or(UploadError::Rule(FileRule::TooLarge(max_bytes))))?;
                file = Some((file_name, declared, content));
            }
            "reference" | "fileInfo" | "fileClientId" => {
                let bytes = read_field(&mut field, MAX_TEXT_FIELD_BYTES)
                    .await
                    .map_err(|e| {
                        e.unwrap_or_else(|| {
                            UploadError::Input(InputError::field(
                                name.clone(),
                                format!("must be at most {MAX_TEXT_FIELD_BYTES} bytes"),
                            ))
                        })
                    })?;
                let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                    UploadError::Input(InputError::field(name.clone(), "must be UTF-8 text"))
                })?;
                match name.as_str() {
                    "reference" => reference = Some(text),
                    "fileInfo" => file_info = text,
                    _ => file_client_id = Some(serde_json::Value::String(text)),
                }
            }
            other => return Err(InputError::field(other.to_owned(), "is not a known field").into()),
        }
    }
    let reference = reference
        .ok_or_else(|| UploadError::Input(InputError::field("reference", "is required")))?;
    check_reference(&reference)?;
    check_texts(&file_info, file_client_id.as_ref())?;
    let (file_name, declared_type, content) =
        file.ok_or_else(|| UploadError::Input(InputError::field("file", "is required")))?;
    if content.is_empty() {
        return Err(UploadError::Rule(FileRule::Empty));
    }
    Ok(Upload {
        reference,
        file_name,
        declared_type,
        file_info,
        file_client_id,
        content,
    })
}

/// Why a form could not be read: its body's deadline passed, or it is not a
/// valid form.
fn form_error(e: MultipartError) -> UploadError {
    if let MultipartError::Payload(cause) = &e {
        if let timed_out @ InputError::TimedOut { .. } = read_failure(cause) {
            return UploadError::Input(timed_out);
        }
    }
    UploadError::Input(InputError::field(
        "body",
        format!("is not a valid multipart form: {e}"),
    ))
}

/// Reads one form field of at most `limit` bytes. `Err(None)` when it is
/// longer (reading stops there).
async fn read_field(
    field: &mut actix_multipart::Field,
    limit: usize,
) -> Result<Bytes, Option<UploadError>> {
    let mut buffer = BytesMut::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|e| Some(form_error(e)))?;
        if buffer.len() + chunk.len() > limit {
            return Err(None);
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(buffer.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_decoded_leniently_but_bounded() {
        assert_eq!(
            decode_base64("aGVsbG8=", 10).map(|b| b.to_vec()).ok(),
            Some(b"hello".to_vec())
        );
        assert_eq!(
            decode_base64("data:application/pdf;base64,aGVs\r\nbG8=", 10)
                .map(|b| b.to_vec())
                .ok(),
            Some(b"hello".to_vec())
        );
        assert!(matches!(
            decode_base64("", 10),
            Err(UploadError::Rule(FileRule::Empty))
        ));
        assert!(matches!(
            decode_base64("not base64!", 10),
            Err(UploadError::Rule(FileRule::BadBase64))
        ));
        assert!(matches!(
            decode_base64("aGVsbG8=", 4),
            Err(UploadError::Rule(FileRule::TooLarge(4)))
        ));
    }
}
