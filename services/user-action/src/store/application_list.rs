//! The internal listing of applications (issue 15, the console's
//! "Applications" screen): a page of them, most recently updated first,
//! with what a relationship manager follows on each; and a document found
//! only through the application it is attached to.

use super::flow::CLOSED;
use crate::rows::{ActionRow, ApplicantRow, RmRequestRow};
use crate::schema::{action_documents, applicants, applications, rm_requests, user_actions};
use diesel::prelude::*;
use domain::applications::{ListedApplicant, ListedApplication, ListedRmRequest, PendingAction};
use service_kit::db::DbConnection;
use service_kit::Keyring;
use std::collections::HashMap;

/// The statuses of an action waiting for the applicant.
const WAITING: [&str; 2] = ["Created", "Rejected"];

/// The most requests for help shown with one application (its newest).
pub const MAX_RM_REQUESTS: usize = 20;

/// Which applications a page holds.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only these statuses (all when empty).
    pub statuses: Vec<String>,
    /// Only applications with requests for help still open: the
    /// application has one, and is neither withdrawn nor decided.
    pub pending_rm: bool,
    /// After this place, the `(updated_at, id)` of the previous page's
    /// last application.
    pub after: Option<(String, String)>,
}

/// A page of the listing.
#[derive(Debug)]
pub struct Page {
    /// The page's applications, their names opened.
    pub applications: Vec<ListedApplication>,
    /// Whether more follow.
    pub more: bool,
    /// How many match the filter (its `after` aside).
    pub total: i64,
}

type Backend = <DbConnection as diesel::Connection>::Backend;

/// The applications `filter` keeps, whatever the page.
fn matching(filter: &ListFilter) -> applications::BoxedQuery<'static, Backend> {
    let mut query = applications::table.into_boxed();
    if !filter.statuses.is_empty() {
        query = query.filter(applications::status.eq_any(filter.statuses.clone()));
    }
    if filter.pending_rm {
        query = query
            .filter(applications::status.ne_all(CLOSED))
            .filter(diesel::dsl::exists(
                rm_requests::table.filter(rm_requests::application_id.eq(applications::id)),
            ));
    }
    query
}

/// Up to `limit` applications `filter` keeps, most recently updated first
/// (then by id, descending), with the total; only the page's names and
/// messages are opened. `shown` says which actions the applicant sees
/// (those whose definition is in the catalog): only those are pending.
pub fn page(
    conn: &mut DbConnection,
    keyring: &Keyring,
    filter: &ListFilter,
    limit: i64,
    shown: &dyn Fn(&str) -> bool,
) -> QueryResult<Page> {
    let mut query = matching(filter)
        .order((applications::updated_at.desc(), applications::id.desc()))
        .limit(limit + 1)
        .select((
            applications::id,
            applications::status,
            applications::created_at,
            applications::updated_at,
            applications::case_id,
            applications::case_status,
        ));
    if let Some((at, id)) = &filter.after {
        query = query.filter(
            applications::updated_at
                .lt(at.clone())
                .or(applications::updated_at
                    .eq(at.clone())
                    .and(applications::id.lt(id.clone()))),
        );
    }
    type Listed = (
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    let mut rows: Vec<Listed> = query.load(conn)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let total: i64 = matching(filter)
        .select(diesel::dsl::count_star())
        .first(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let mut applicants = applicants_of(conn, keyring, &ids)?;
    let mut pending = pending_of(conn, keyring, &ids, shown)?;
    let mut requests = requests_of(conn, keyring, &ids)?;
    let applications = rows
        .into_iter()
        .map(
            |(id, status, created_at, updated_at, case_id, case_status)| {
                let (shown, count) = requests.remove(&id).unwrap_or_default();
                ListedApplication {
                    applicants: applicants.remove(&id).unwrap_or_default(),
                    pending_actions: pending.remove(&id).unwrap_or_default(),
                    rm_requests: shown,
                    rm_request_count: count,
                    application_id: id,
                    status,
                    created_at,
                    updated_at,
                    case_id,
                    case_status,
                }
            },
        )
        .collect();
    Ok(Page {
        applications,
        more,
        total,
    })
}

/// The applicants of applications `ids`, by application, each
/// application's main applicant first, their names opened.
fn applicants_of(
    conn: &mut DbConnection,
    keyring: &Keyring,
    ids: &[String],
) -> QueryResult<HashMap<String, Vec<ListedApplicant>>> {
    let rows: Vec<ApplicantRow> = applicants::table
        .filter(applicants::application_id.eq_any(ids))
        .order((
            applicants::application_id.asc(),
            applicants::created_at.asc(),
            applicants::entity_id.asc(),
        ))
        .select(ApplicantRow::as_select())
        .load(conn)?;
    let mut by_application: HashMap<String, Vec<ListedApplicant>> = HashMap::new();
    for row in rows {
        let row = row.opened(keyring)?;
        by_application
            .entry(row.application_id)
            .or_default()
            .push(ListedApplicant {
                party_id: row.party_id,
                applicant_type: row.applicant_type,
                first_name: row.first_name,
                last_name: row.last_name,
            });
    }
    Ok(by_application)
}

/// The actions of applications `ids` waiting for the applicant, by
/// application, in listing order; only their review comments are opened.
fn pending_of(
    conn: &mut DbConnection,
    keyring: &Keyring,
    ids: &[String],
    shown: &dyn Fn(&str) -> bool,
) -> QueryResult<HashMap<String, Vec<PendingAction>>> {
    type Pending = (String, String, String, String, String, Option<String>, bool);
    let rows: Vec<Pending> = user_actions::table
        .filter(user_actions::application_id.eq_any(ids))
        .filter(user_actions::status.eq_any(WAITING))
        .order((
            user_actions::application_id.asc(),
            user_actions::position.asc(),
            user_actions::created_at.asc(),
            user_actions::identifier.asc(),
        ))
        .select((
            user_actions::id,
            user_actions::application_id,
            user_actions::identifier,
            user_actions::name,
            user_actions::status,
            user_actions::review_comment,
            user_actions::sealed,
        ))
        .load(conn)?;
    let mut by_application: HashMap<String, Vec<PendingAction>> = HashMap::new();
    for (id, application_id, identifier, name, status, comment, sealed) in rows {
        if !shown(&name) {
            continue;
        }
        let review_comment = comment
            .map(|comment| ActionRow::open_review_comment(keyring, &id, comment, sealed))
            .transpose()?;
        by_application
            .entry(application_id)
            .or_default()
            .push(PendingAction {
                identifier,
                name,
                status,
                review_comment,
            });
    }
    Ok(by_application)
}

/// The requests for help of applications `ids`, by application: the
/// newest [`MAX_RM_REQUESTS`] (opened, newest first) and how many there
/// are.
fn requests_of(
    conn: &mut DbConnection,
    keyring: &Keyring,
    ids: &[String],
) -> QueryResult<HashMap<String, (Vec<ListedRmRequest>, u64)>> {
    let rows: Vec<RmRequestRow> = rm_requests::table
        .filter(rm_requests::application_id.eq_any(ids))
        .order((
            rm_requests::application_id.asc(),
            rm_requests::created_at.desc(),
            rm_requests::id.desc(),
        ))
        .select(RmRequestRow::as_select())
        .load(conn)?;
    let mut by_application: HashMap<String, (Vec<ListedRmRequest>, u64)> = HashMap::new();
    for row in rows {
        let (shown, count) = by_application
            .entry(row.application_id.clone())
            .or_default();
        *count += 1;
        if shown.len() < MAX_RM_REQUESTS {
            let row = row.opened(keyring)?;
            shown.push(ListedRmRequest {
                id: row.id,
                message: row.message,
                case_id: row.case_id,
                created_at: row.created_at,
            });
        }
    }
    Ok(by_application)
}

/// The owner (end user) of application `application_id` when document
/// `document_id` is attached to one of its actions; `None` otherwise (no
/// such application, no such document, or another application's).
pub fn document_owner(
    conn: &mut DbConnection,
    application_id: &str,
    document_id: &str,
) -> QueryResult<Option<String>> {
    let attached: Option<String> = action_documents::table
        .inner_join(user_actions::table.on(user_actions::id.eq(action_documents::action_id)))
        .filter(action_documents::document_id.eq(document_id))
        .filter(user_actions::application_id.eq(application_id))
        .select(user_actions::application_id)
        .first(conn)
        .optional()?;
    if attached.is_none() {
        return Ok(None);
    }
    applications::table
        .find(application_id)
        .select(applications::owner_subject)
        .first(conn)
        .optional()
}
