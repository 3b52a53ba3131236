//! Reading CAM request bodies: JSON objects of a bounded size, refused in
//! the Fabric envelope. Every handler reads its body through here.

use crate::error::CamError;
use actix_web::{web, HttpRequest};
use serde::de::DeserializeOwned;
use service_kit::body::{is_json, parse_json_object, read_limited, DEFAULT_JSON_LIMIT};
use service_kit::InputError;

/// Reads a JSON object body of at most `limit` bytes: the parsed body and
/// its bytes (an Idempotency-Key's fingerprint).
pub async fn json_body<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<(T, Vec<u8>), CamError> {
    if !is_json(req) {
        return Err(InputError::UnsupportedMediaType {
            expected: "application/json",
        }
        .into());
    }
    let bytes = read_limited(req, payload, limit).await?;
    let parsed = parse_json_object(&bytes)?;
    Ok((parsed, bytes.to_vec()))
}

/// Reads a small JSON object body.
pub async fn small_body<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<(T, Vec<u8>), CamError> {
    json_body(req, payload, DEFAULT_JSON_LIMIT).await
}
