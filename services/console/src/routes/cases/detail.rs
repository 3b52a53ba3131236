//! `GET /console/cases/{caseId}?tab=&cursor=`: a case's header, its lock,
//! and one tab, a page at a time (each list pages by its own cursor from
//! getCaseDetails, the audit trail by getCaseAudit's).

use super::{acting, can_write, case_id, case_path, read_failure, require_read, Screens};
use crate::caller::Analyst;
use crate::error::{html, ConsoleError};
use crate::views::cases::{
    status_name, CaseHeader, CasePage, CaseView, Link, LockView, RecommendationView,
    APPLICATION_STATUSES, GUARDED, SETTABLE, STATUSES,
};
use crate::views::{Chrome, Nav};
use crate::wire::cases::CaseQuery;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use clients::ecm::{AuditPage, CaseDetails};
use clients::EcmError;
use serde_json::{json, Value};

/// Items a tab's page.
const PAGE_SIZE: i64 = 25;

/// The tabs: their query value, their name, and the getCaseDetails cursor
/// that pages them (`None`: not paged there).
pub const TABS: [(&str, &str, Option<&str>); 8] = [
    ("customers", "Customers", Some("cursor")),
    ("accounts", "Accounts", Some("accountsCursor")),
    ("transactions", "Transactions", Some("transactionsCursor")),
    (
        "entities",
        "External entities",
        Some("externalEntitiesCursor"),
    ),
    ("events", "Events", Some("eventsCursor")),
    ("evidence", "Evidence", None),
    ("narratives", "Narratives", Some("narrativesCursor")),
    ("audit", "Audit trail", None),
];

/// `tab` if it is one (empty is the first).
pub fn known_tab(tab: &str) -> Option<&'static str> {
    if tab.is_empty() {
        return Some(TABS[0].0);
    }
    TABS.iter()
        .map(|(name, ..)| *name)
        .find(|name| *name == tab)
}

/// `GET /console/cases/{caseId}`.
pub async fn show(
    analyst: Analyst,
    screens: web::Data<Screens>,
    path: web::Path<String>,
    query: web::Query<CaseQuery>,
) -> Result<HttpResponse, ConsoleError> {
    require_read(&analyst)?;
    let case_id = case_id(&path)?;
    render(&screens, &analyst, &case_id, &query, None).await
}

/// The page of case `case_id` at the first page of `tab`, with `refusal`
/// (the status to answer and why): what a refused action or lock answers.
pub async fn refused(
    screens: &Screens,
    analyst: &Analyst,
    case_id: &str,
    tab: &str,
    refusal: (StatusCode, String),
) -> Result<HttpResponse, ConsoleError> {
    let query = CaseQuery {
        tab: tab.to_owned(),
        cursor: String::new(),
    };
    render(screens, analyst, case_id, &query, Some(refusal)).await
}

/// The page of case `case_id` at `query`'s tab and page, with `error` (the
/// status to answer and what went wrong) when an action was refused.
pub async fn render(
    screens: &Screens,
    analyst: &Analyst,
    case_id: &str,
    query: &CaseQuery,
    error: Option<(StatusCode, String)>,
) -> Result<HttpResponse, ConsoleError> {
    let tab = known_tab(&query.tab).ok_or(ConsoleError::NotFound)?;
    let (status, mut error) = match error {
        Some((status, message)) => (status, Some(message)),
        None => (StatusCode::OK, None),
    };
    let cursor = query.cursor.trim();
    let fetched = fetch(screens, analyst, case_id, tab, cursor).await;
    // A cursor not from a "Next page" link: the first page, saying so.
    let (details, audit, status) = match fetched {
        Err(EcmError::Refused {
            status: refused,
            message,
        }) if refused == 400 && !cursor.is_empty() => {
            error = Some(format!(
                "That page could not be shown ({message}). This is the first page."
            ));
            let (details, audit) = fetch(screens, analyst, case_id, tab, "")
                .await
                .map_err(read_failure)?;
            (details, audit, StatusCode::BAD_REQUEST)
        }
        other => {
            let (details, audit) = other.map_err(read_failure)?;
            (details, audit, status)
        }
    };
    let view = view(
        screens,
        analyst,
        details,
        audit,
        tab,
        !cursor.is_empty(),
        error,
    );
    let title = format!("Case {}", view.header.case_id);
    Ok(html(
        status,
        &CasePage {
            chrome: Chrome::signed_in(&analyst.session, &title, Nav::Cases),
            view,
            csrf: analyst.session.csrf_token.clone(),
        },
    ))
}

/// getCaseDetails at the tab's cursor, and getCaseAudit for the audit tab.
async fn fetch(
    screens: &Screens,
    analyst: &Analyst,
    case_id: &str,
    tab: &str,
    cursor: &str,
) -> Result<(CaseDetails, Option<AuditPage>), EcmError> {
    let acting = acting(analyst);
    let mut body = json!({"caseId": case_id, "limit": PAGE_SIZE});
    let key = TABS
        .iter()
        .find(|(name, ..)| *name == tab)
        .and_then(|t| t.2);
    if let (Some(key), false) = (key, cursor.is_empty()) {
        body[key] = Value::String(cursor.to_owned());
    }
    let details: CaseDetails = screens.ecm.op("getCaseDetails", &acting, &body).await?;
    let audit = if tab == "audit" {
        let mut body = json!({"caseId": case_id, "limit": PAGE_SIZE});
        if !cursor.is_empty() {
            body["cursor"] = Value::String(cursor.to_owned());
        }
        Some(screens.ecm.op("getCaseAudit", &acting, &body).await?)
    } else {
        None
    };
    Ok((details, audit))
}

/// What the page shows of `details` (and `audit`) on `tab`.
fn view(
    screens: &Screens,
    analyst: &Analyst,
    details: CaseDetails,
    audit: Option<AuditPage>,
    tab: &'static str,
    later_page: bool,
    error: Option<String>,
) -> CaseView {
    let case = details.case;
    let path = case_path(&case.case_id);
    let lock = details.lock.map(|lock| LockView {
        mine: lock.locked_by == analyst.session.subject,
        by: lock.locked_by,
        until: lock.locked_until,
    });
    let writer = can_write(analyst);
    let editing = writer && lock.as_ref().is_some_and(|l| l.mine);
    let next = match tab {
        "customers" => details.next_cursor,
        "accounts" => details.next_accounts_cursor,
        "transactions" => details.next_transactions_cursor,
        "entities" => details.next_external_entities_cursor,
        "events" => details.next_events_cursor,
        "narratives" => details.next_narratives_cursor,
        "audit" => audit.as_ref().and_then(|a| a.next_cursor.clone()),
        _ => None,
    };
    let encode =
        |cursor: &str| form_urlencoded::byte_serialize(cursor.as_bytes()).collect::<String>();
    let application = details.application;
    let four_eyes = details.four_eyes_required;
    let mut statuses: Vec<&'static str> = SETTABLE.to_vec();
    if application.is_some() {
        statuses.extend(APPLICATION_STATUSES);
    }
    // Under four eyes, approving or rejecting goes through a
    // recommendation, so those are not offered as a direct change.
    if four_eyes {
        statuses.retain(|code| !GUARDED.contains(code));
    }
    let recommendation = details.recommendation.map(|r| RecommendationView {
        status: status_name(&r.case_status_code).to_owned(),
        mine: r.recommended_by == analyst.session.subject,
        code: r.case_status_code,
        by: r.recommended_by,
        at: r.recommended_at,
        comment: r.comment,
    });
    let recommend = four_eyes && application.is_some() && recommendation.is_none();
    let approve = four_eyes && recommendation.as_ref().is_some_and(|r| !r.mine);
    CaseView {
        header: CaseHeader {
            case_type: case.case_type_code.unwrap_or_else(|| "—".to_owned()),
            status: status_name(&case.case_status_code).to_owned(),
            status_code: case.case_status_code,
            priority: case.priority.unwrap_or_else(|| "—".to_owned()),
            due: case.due_date.unwrap_or_else(|| "—".to_owned()),
            assignee: case.assignee,
            application_id: case.application_id,
            description: case.case_description,
            case_id: case.case_id,
            effective_risk: details.effective_risk.unwrap_or_else(|| "—".to_owned()),
            four_eyes,
        },
        lock,
        can_write: writer,
        editing,
        tab,
        tabs: TABS
            .iter()
            .map(|(name, label, _)| Link {
                label: (*label).to_owned(),
                href: format!("{path}?tab={name}"),
                current: *name == tab,
            })
            .collect(),
        next: next.map(|cursor| format!("{path}?tab={tab}&cursor={}", encode(&cursor))),
        first: later_page.then(|| format!("{path}?tab={tab}")),
        error,
        statuses: STATUSES
            .iter()
            .filter(|(code, _)| statuses.contains(code))
            .copied()
            .collect(),
        recommendation,
        recommend,
        approve,
        decisions: screens.decisions.clone(),
        customers: if tab == "customers" {
            details.customers
        } else {
            Vec::new()
        },
        accounts: if tab == "accounts" {
            details.accounts
        } else {
            Vec::new()
        },
        transactions: if tab == "transactions" {
            details.transactions
        } else {
            Vec::new()
        },
        entities: if tab == "entities" {
            details.external_entities
        } else {
            Vec::new()
        },
        events: if tab == "events" {
            details.events
        } else {
            Vec::new()
        },
        evidence: match (tab, application) {
            ("evidence", Some(application)) => application.evidence,
            _ => Vec::new(),
        },
        narratives: if tab == "narratives" {
            details.narratives
        } else {
            Vec::new()
        },
        audit: audit.map(|a| a.events).unwrap_or_default(),
    }
}
