//! The user-action client: its internal decisions API (SPEC §D), for
//! case-service's deliveries of the bank's decisions; and the
//! applications and their documents, for the case workers' console
//! (issue 15).

use crate::absent_on_404;
use bytes::Bytes;
use domain::applications::ApplicationPage;
use domain::flow::CaseDecision;
use reqwest::header::CONTENT_TYPE;
use reqwest::Method;
use service_kit::client::{CallError, InternalClient};
use service_kit::server::Context;

/// The peer's name, in errors.
const SERVICE: &str = "user-action-service";

/// A client of user-action-service's internal API.
#[derive(Clone, Debug)]
pub struct UserActionClient {
    http: InternalClient,
}

/// Which applications [`UserActionClient::applications`] asks for; the
/// default asks for the first page of every application.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplicationsQuery {
    /// Only these statuses (`InProgress`, `Submitted`, `UnderReview`,
    /// `Approved`, `Rejected`, `Withdrawn`); all when empty.
    pub statuses: Vec<String>,
    /// Only applications with requests for help (notifyRM) still open.
    pub pending_rm: bool,
    /// The page size, 1 to 100 (user-action's default, 25, when `None`).
    pub limit: Option<u32>,
    /// The previous page's `nextCursor`.
    pub cursor: Option<String>,
}

impl ApplicationsQuery {
    /// The query string, without its `?` (empty when nothing is asked).
    fn encoded(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if !self.statuses.is_empty() {
            query.append_pair("status", &self.statuses.join(","));
        }
        if self.pending_rm {
            query.append_pair("pendingRm", "true");
        }
        if let Some(limit) = self.limit {
            query.append_pair("limit", &limit.to_string());
        }
        if let Some(cursor) = &self.cursor {
            query.append_pair("cursor", cursor);
        }
        query.finish()
    }
}

impl UserActionClient {
    /// A client of user-action-service at `base_url` (from
    /// `USER_ACTION_SERVICE_URL`, or this process when unset).
    pub fn new(ctx: &Context, base_url: Option<&str>) -> Self {
        Self {
            http: crate::peer(ctx, SERVICE, base_url),
        }
    }

    /// Delivers `decision` about application `application_id`. `Ok` once
    /// user-action has applied it, now or before (it applies each id once);
    /// any error (a 404 or 422 too) is the caller's to retry or report. The
    /// current request id (`observe::with_request_id`, which the outbox's
    /// dispatcher sets to the one that wrote the event) goes as
    /// `X-Request-Id`, so user-action's logs carry it.
    pub async fn decision(
        &self,
        application_id: &str,
        decision: &CaseDecision,
    ) -> Result<(), CallError> {
        let path = format!("/user-action/v1/applications/{application_id}/decisions");
        let _: serde_json::Value = self.http.json(Method::POST, &path, Some(decision)).await?;
        Ok(())
    }

    /// A page of applications, most recently updated first, with the
    /// total. A refused query (a 400 naming the parameter) is an error.
    pub async fn applications(
        &self,
        query: &ApplicationsQuery,
    ) -> Result<ApplicationPage, CallError> {
        let encoded = query.encoded();
        let path = if encoded.is_empty() {
            "/user-action/v1/applications".to_owned()
        } else {
            format!("/user-action/v1/applications?{encoded}")
        };
        self.http.get_json(&path).await
    }

    /// The content of document `document_id` of application
    /// `application_id` and its type, for the case worker `acting_subject`
    /// (logged by user-action); `None` unless the document is attached to
    /// that application.
    pub async fn document_content(
        &self,
        application_id: &str,
        document_id: &str,
        acting_subject: Option<&str>,
    ) -> Result<Option<(String, Bytes)>, CallError> {
        let path = format!(
            "/user-action/v1/applications/{application_id}/documents/{document_id}/content"
        );
        let headers: Vec<(&str, &str)> = acting_subject
            .map(|subject| ("X-Acting-Subject", subject))
            .into_iter()
            .collect();
        let Some(response) = absent_on_404(
            self.http
                .send_with(Method::GET, &path, &headers, None)
                .await,
        )?
        else {
            return Ok(None);
        };
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_owned();
        let content = response.bytes().await.map_err(|e| CallError::Unavailable {
            service: SERVICE,
            detail: e.to_string(),
        })?;
        Ok(Some((content_type, content)))
    }
}
