//! The HTTP client services use to call each other: pooled connections,
//! timeouts, the internal credential, the request id forwarded, and bounded
//! retries of the requests that are safe to repeat.

use crate::auth::{InternalCredential, CREDENTIAL_HEADER};
use crate::observe::{current_request_id, REQUEST_ID_HEADER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::Duration;

/// How many times an idempotent request is retried after a transient failure.
pub const MAX_RETRIES: u32 = 2;
/// The wait before the first retry; it doubles for each further one.
const FIRST_BACKOFF: Duration = Duration::from_millis(50);

/// Why an internal call failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The peer could not be reached, or kept answering 502/503/504.
    #[error("{service} is unavailable: {detail}")]
    Unavailable {
        /// The peer's name.
        service: &'static str,
        /// What happened, for the log.
        detail: String,
    },
    /// The peer did not answer in time.
    #[error("{service} timed out")]
    Timeout {
        /// The peer's name.
        service: &'static str,
    },
    /// The peer answered with an error status the caller should interpret.
    #[error("{service} answered {status}")]
    Status {
        /// The peer's name.
        service: &'static str,
        /// The status it answered.
        status: StatusCode,
        /// Its body (a problem+json document for our services).
        body: serde_json::Value,
    },
    /// The peer answered success with a body we cannot read: a bug.
    #[error("{service} answered an unreadable body: {detail}")]
    Protocol {
        /// The peer's name.
        service: &'static str,
        /// What could not be read.
        detail: String,
    },
}

/// A client for one peer service.
#[derive(Clone, Debug)]
pub struct InternalClient {
    http: reqwest::Client,
    service: &'static str,
    base_url: String,
    credential: InternalCredential,
}

impl InternalClient {
    /// A client for `service` at `base_url` (no trailing slash), with a
    /// per-call `timeout`.
    pub fn new(
        service: &'static str,
        base_url: impl Into<String>,
        credential: InternalCredential,
        timeout: Duration,
    ) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(2)))
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .expect("a client without TLS or proxies always builds");
        Self {
            http,
            service,
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            credential,
        }
    }

    /// `GET path`, decoding a JSON answer.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, CallError> {
        self.json(Method::GET, path, None::<&()>).await
    }

    /// `method path` with a JSON body, decoding a JSON answer.
    pub async fn json<T: DeserializeOwned, B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, CallError> {
        self.json_with(method, path, &[], body).await
    }

    /// [`json`](Self::json) with extra headers.
    pub async fn json_with<T: DeserializeOwned, B: Serialize>(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&B>,
    ) -> Result<T, CallError> {
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| CallError::Protocol {
                service: self.service,
                detail: e.to_string(),
            })?;
        let response = self.send_with(method, path, headers, body).await?;
        response.json().await.map_err(|e| CallError::Protocol {
            service: self.service,
            detail: e.to_string(),
        })
    }

    /// Sends a request, retrying idempotent methods on transient failures, and
    /// returns a success response; an error status becomes [`CallError::Status`].
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<reqwest::Response, CallError> {
        self.send_with(method, path, &[], body).await
    }

    /// [`send`](Self::send) with extra headers.
    pub async fn send_with(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Result<reqwest::Response, CallError> {
        let retries = if is_idempotent(&method) {
            MAX_RETRIES
        } else {
            0
        };
        let mut attempt = 0;
        loop {
            let outcome = self
                .attempt(method.clone(), path, headers, body.clone())
                .await;
            let transient = match &outcome {
                Err(CallError::Unavailable { .. } | CallError::Timeout { .. }) => true,
                Ok(response) => is_transient(response.status()),
                Err(_) => false,
            };
            if !transient || attempt >= retries {
                return self.finish(outcome).await;
            }
            tokio::time::sleep(FIRST_BACKOFF * 2u32.pow(attempt)).await;
            attempt += 1;
        }
    }

    async fn attempt(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Result<reqwest::Response, CallError> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            .header(CREDENTIAL_HEADER, self.credential.secret().expose());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(id) = current_request_id() {
            request = request.header(REQUEST_ID_HEADER, id);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        request.send().await.map_err(|e| {
            if e.is_timeout() {
                CallError::Timeout {
                    service: self.service,
                }
            } else {
                CallError::Unavailable {
                    service: self.service,
                    detail: e.to_string(),
                }
            }
        })
    }

    async fn finish(
        &self,
        outcome: Result<reqwest::Response, CallError>,
    ) -> Result<reqwest::Response, CallError> {
        let response = outcome?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        if is_transient(status) {
            return Err(CallError::Unavailable {
                service: self.service,
                detail: format!("answered {status}"),
            });
        }
        let body = response.json().await.unwrap_or(serde_json::Value::Null);
        Err(CallError::Status {
            service: self.service,
            status,
            body,
        })
    }
}

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

fn is_transient(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn client(base: &str, timeout_ms: u64) -> InternalClient {
        let credential = InternalCredential::new(Secret::new("c".repeat(32)));
        InternalClient::new("peer", base, credential, Duration::from_millis(timeout_ms))
    }

    #[tokio::test]
    async fn idempotent_calls_are_retried_a_bounded_number_of_times() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/thing"))
            .respond_with(ResponseTemplate::new(503))
            .expect(u64::from(MAX_RETRIES) + 1)
            .mount(&server)
            .await;
        let err = client(&server.uri(), 1000)
            .get_json::<serde_json::Value>("/thing")
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                CallError::Unavailable {
                    service: "peer",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn posts_are_not_retried() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(503))
            .expect(1)
            .mount(&server)
            .await;
        let err = client(&server.uri(), 1000)
            .json::<serde_json::Value, _>(Method::POST, "/thing", Some(&serde_json::json!({})))
            .await
            .unwrap_err();
        assert!(matches!(err, CallError::Unavailable { .. }), "{err:?}");
    }

    #[tokio::test]
    async fn the_credential_and_request_id_are_sent() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(header(CREDENTIAL_HEADER, "c".repeat(32).as_str()))
            .and(header(REQUEST_ID_HEADER, "req-42"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
            .expect(1)
            .mount(&server)
            .await;
        let client = client(&server.uri(), 1000);
        let answer: serde_json::Value = crate::observe::REQUEST_ID
            .scope("req-42".to_owned(), async {
                client.get_json("/thing").await
            })
            .await
            .expect("answered");
        assert_eq!(answer, serde_json::json!({"ok": true}));
    }

    #[tokio::test]
    async fn slow_peers_time_out_and_client_errors_pass_through() {
        let server = MockServer::start().await;
        Mock::given(path("/slow"))
            .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(500)))
            .mount(&server)
            .await;
        Mock::given(path("/missing"))
            .respond_with(
                ResponseTemplate::new(404).set_body_json(serde_json::json!({"status": 404})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let client = client(&server.uri(), 100);
        assert!(matches!(
            client.get_json::<serde_json::Value>("/slow").await,
            Err(CallError::Timeout { .. })
        ));
        match client.get_json::<serde_json::Value>("/missing").await {
            Err(CallError::Status { status, body, .. }) => {
                assert_eq!(
                    (status, body),
                    (StatusCode::NOT_FOUND, serde_json::json!({"status": 404}))
                )
            }
            other => panic!("{other:?}"),
        }
    }
}
