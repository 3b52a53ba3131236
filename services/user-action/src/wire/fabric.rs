//! The Fabric envelope every CAM answer is in: a success's fields beside
//! `opstatus` 0 and `httpStatusCode` 200, or an error's code and message.

use actix_web::body::BoxBody;
use actix_web::{HttpRequest, HttpResponse, Responder};
use serde::Serialize;

/// A CAM success: the answer's own fields, then `opstatus` 0 and
/// `httpStatusCode` 200, in one object.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Fabric<T> {
    /// The operation's answer; its fields sit beside the envelope's.
    #[serde(flatten)]
    pub body: T,
    /// 0: the operation succeeded.
    #[schema(example = 0)]
    pub opstatus: u32,
    /// 200, the HTTP status.
    #[serde(rename = "httpStatusCode")]
    #[schema(example = 200)]
    pub http_status_code: u16,
}

impl<T> Fabric<T> {
    /// `body` as a success.
    pub fn ok(body: T) -> Self {
        Self {
            body,
            opstatus: 0,
            http_status_code: 200,
        }
    }
}

impl<T: Serialize> Responder for Fabric<T> {
    type Body = BoxBody;

    /// Written through a JSON map, as these answers were before they had
    /// types: every object's keys in sorted order, so that the bytes on
    /// the wire stay the ones clients have seen.
    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        match render(&self) {
            Ok(bytes) => HttpResponse::Ok()
                .content_type("application/json")
                .body(bytes),
            Err(e) => {
                tracing::error!(error = %e, "an answer could not be written");
                HttpResponse::InternalServerError().finish()
            }
        }
    }
}

/// An answer's bytes as [`Fabric`] writes them: through a JSON map, so
/// every object's keys in sorted order.
pub fn render<T: Serialize>(answer: &T) -> serde_json::Result<Vec<u8>> {
    let mut value = serde_json::to_value(answer)?;
    // Sorted explicitly: the workspace's serde_json keeps insertion order.
    value.sort_all_objects();
    serde_json::to_vec(&value)
}

/// The Fabric error envelope.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FabricError {
    /// Non-zero: the same number as `dbpErrCode`.
    pub opstatus: u32,
    /// The HTTP status.
    pub http_status_code: u16,
    /// The cause, a stable number (see the API description for the list).
    #[schema(example = "10003")]
    pub dbp_err_code: String,
    /// What is wrong, naming the field.
    #[schema(example = "DateOfBirth: 1985-02-30 is not a real date")]
    pub dbp_err_msg: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Answer {
        party_id: &'static str,
        #[serde(rename = "id")]
        id: &'static str,
        count: u32,
    }

    #[actix_web::test]
    async fn a_success_is_written_with_sorted_keys() {
        let req = actix_web::test::TestRequest::default().to_http_request();
        let answer = Answer {
            party_id: "1778258145",
            id: "60fe1b7edecbb711d1e76641",
            count: 1,
        };
        let response = Fabric::ok(answer).respond_to(&req);
        assert_eq!(response.status(), 200);
        let body = actix_web::body::to_bytes(response.into_body())
            .await
            .expect("body");
        assert_eq!(
            std::str::from_utf8(&body).expect("utf-8"),
            r#"{"Count":1,"PartyId":"1778258145","httpStatusCode":200,"id":"60fe1b7edecbb711d1e76641","opstatus":0}"#
        );
    }
}
