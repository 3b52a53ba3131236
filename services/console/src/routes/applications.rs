//! `GET /console/applications`: every application, for relationship
//! managers (`application:read`), from user-action's internal listing.
//! Filters and the page's cursor come in the query string, so every view
//! has an address and works without JavaScript; htmx asks for the results
//! alone (`HX-Target: results`).

use super::{results, UserActions};
use crate::caller::Analyst;
use crate::error::{html, ConsoleError};
use crate::views::applications::{
    status_name, ApplicationRow, ApplicationsPage, ApplicationsResults, ApplicationsView,
    PendingView, RequestView, STATUSES,
};
use crate::views::cases::case_path;
use crate::views::{Chrome, Nav};
use crate::wire::applications::ApplicationsQuery;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use clients::{ApplicationsQuery as ListQuery, CallError};
use domain::applications::{ApplicationPage, ListedApplication};

/// Applications a page.
pub const PAGE_SIZE: u32 = 25;

/// `GET /console/applications`.
pub async fn list(
    req: HttpRequest,
    analyst: Analyst,
    user_actions: web::Data<UserActions>,
    query: web::Query<ApplicationsQuery>,
) -> Result<HttpResponse, ConsoleError> {
    if !analyst.session.roles().any(|r| r == "application:read") {
        return Err(ConsoleError::Forbidden(
            "Your roles do not include reading applications (application:read). Ask your administrator if you need them.",
        ));
    }
    let query = query.into_inner();
    let mut view = ApplicationsView {
        query: query.clone(),
        error: None,
        fetched: false,
        rows: Vec::new(),
        total: 0,
        next: None,
        first: None,
    };
    let status = match list_query(&query) {
        Err(why) => {
            view.error = Some(why);
            StatusCode::BAD_REQUEST
        }
        Ok(asked) => match user_actions.client.applications(&asked).await {
            Ok(found) => {
                fill(&mut view, found, asked.cursor.is_some());
                StatusCode::OK
            }
            // A cursor not from a "Next page" link: the first page, saying so.
            Err(CallError::Status { status, .. }) if status == 400 && asked.cursor.is_some() => {
                let first = ListQuery {
                    cursor: None,
                    ..asked
                };
                let found = user_actions
                    .client
                    .applications(&first)
                    .await
                    .map_err(ConsoleError::from)?;
                view.query.cursor.clear();
                fill(&mut view, found, false);
                view.error = Some(
                    "That page could not be shown: its link is not one this screen gave. This is the first page."
                        .to_owned(),
                );
                StatusCode::BAD_REQUEST
            }
            Err(other) => return Err(other.into()),
        },
    };
    let answer = if results::region_only(&req) {
        html(
            status,
            &ApplicationsResults {
                view,
                partial: true,
            },
        )
    } else {
        html(
            status,
            &ApplicationsPage {
                chrome: Chrome::signed_in(&analyst.session, "Applications", Nav::Applications),
                view,
                partial: false,
            },
        )
    };
    Ok(results::varying(answer))
}

/// user-action's query for the screen's `query`, or a refusal naming the
/// field.
fn list_query(query: &ApplicationsQuery) -> Result<ListQuery, String> {
    let mut asked = ListQuery {
        limit: Some(PAGE_SIZE),
        ..ListQuery::default()
    };
    if !query.status.is_empty() {
        if !STATUSES.iter().any(|(code, _)| *code == query.status) {
            let names: Vec<&str> = STATUSES.iter().map(|(code, _)| *code).collect();
            return Err(format!("Status: choose one of {}.", names.join(", ")));
        }
        asked.statuses = vec![query.status.clone()];
    }
    match query.open.as_str() {
        "" => {}
        "on" => asked.pending_rm = true,
        _ => return Err("Open requests only: tick it or leave it clear.".to_owned()),
    }
    let cursor = query.cursor.trim();
    if cursor.chars().count() > 200 || cursor.chars().any(char::is_control) {
        return Err("Page: that page's link is not one this screen gave.".to_owned());
    }
    if !cursor.is_empty() {
        asked.cursor = Some(cursor.to_owned());
    }
    Ok(asked)
}

/// Puts `found` into `view`, with its links.
fn fill(view: &mut ApplicationsView, found: ApplicationPage, later_page: bool) {
    view.fetched = true;
    view.total = found.total;
    view.rows = found.applications.into_iter().map(row).collect();
    view.next = found
        .next_cursor
        .map(|cursor| href(&view.query, Some(&cursor)));
    view.first = later_page.then(|| href(&view.query, None));
}

/// The screen's address for `query`'s filters at `cursor`; empty fields
/// left out.
fn href(query: &ApplicationsQuery, cursor: Option<&str>) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in [
        ("status", query.status.as_str()),
        ("open", query.open.as_str()),
        ("cursor", cursor.unwrap_or("")),
    ] {
        if !value.is_empty() {
            out.append_pair(name, value);
        }
    }
    let encoded = out.finish();
    if encoded.is_empty() {
        "/console/applications".to_owned()
    } else {
        format!("/console/applications?{encoded}")
    }
}

/// How the table lists `application`.
fn row(application: ListedApplication) -> ApplicationRow {
    ApplicationRow {
        status: status_name(&application.status).to_owned(),
        applicants: application
            .applicants
            .into_iter()
            .map(|a| {
                let kind = if a.applicant_type == "CoApplicant" {
                    "co-applicant"
                } else {
                    "applicant"
                };
                format!("{} {} ({kind})", a.first_name, a.last_name)
            })
            .collect(),
        pending: application
            .pending_actions
            .into_iter()
            .map(|p| PendingView {
                name: p.name,
                status: if p.status == "Rejected" {
                    "sent back".to_owned()
                } else {
                    "not answered yet".to_owned()
                },
                comment: p.review_comment,
            })
            .collect(),
        requests: application
            .rm_requests
            .into_iter()
            .map(|r| RequestView {
                message: r.message,
                at: r.created_at,
            })
            .collect(),
        request_count: application.rm_request_count,
        case: application
            .case_id
            .map(|case_id| (case_path(&case_id), case_id))
            .map(|(href, case_id)| (case_id, href)),
        updated_at: application.updated_at,
        application_id: application.application_id,
    }
}
