//! `GET /console/cases`: the inbox. Filters, search, sort and page come in
//! the query string, so every view has an address and works without
//! JavaScript; htmx asks for the results alone (`HX-Target: results`).

use super::{acting, require_read, Screens};
use crate::caller::Analyst;
use crate::error::{html, ConsoleError};
use crate::routes::results;
use crate::views::cases::{
    status_name, InboxPage, InboxResults, InboxRow, InboxView, Link, SortHeading, PRIORITIES,
    SORTS, STATUSES,
};
use crate::views::{Chrome, Nav};
use crate::wire::cases::InboxQuery;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use clients::ecm::{InboxCase, SearchPage};
use clients::EcmError;
use serde_json::{json, Map, Value};

/// Cases a page.
pub const PAGE_SIZE: i64 = 25;
/// The last page searchCases reaches (its offset stops at 10,000).
const LAST_PAGE: i64 = 10_000 / PAGE_SIZE + 1;

/// `GET /console/cases`.
pub async fn list(
    req: HttpRequest,
    analyst: Analyst,
    screens: web::Data<Screens>,
    query: web::Query<InboxQuery>,
) -> Result<HttpResponse, ConsoleError> {
    require_read(&analyst)?;
    let query = query.into_inner();
    let mut view = InboxView {
        query: query.clone(),
        error: None,
        rows: Vec::new(),
        total: 0,
        total_capped: false,
        first: 0,
        last: 0,
        pages: Vec::new(),
        headings: headings(&query),
    };
    let status = match search_body(&query) {
        Err(why) => {
            view.error = Some(why);
            StatusCode::BAD_REQUEST
        }
        Ok((body, page)) => {
            let found: Result<SearchPage, EcmError> = screens
                .ecm
                .op("searchCases", &acting(&analyst), &body)
                .await;
            match found {
                Ok(found) => {
                    fill(&mut view, &found, page);
                    StatusCode::OK
                }
                Err(EcmError::Refused { message, .. }) => {
                    view.error = Some(format!("The search was refused: {message}"));
                    StatusCode::BAD_REQUEST
                }
                Err(EcmError::Call(call)) => return Err(call.into()),
            }
        }
    };
    let answer = if results::region_only(&req) {
        html(
            status,
            &InboxResults {
                view,
                partial: true,
            },
        )
    } else {
        html(
            status,
            &InboxPage {
                chrome: Chrome::signed_in(&analyst.session, "Cases", Nav::Cases),
                view,
                partial: false,
            },
        )
    };
    Ok(results::varying(answer))
}

/// The searchCases body of `query` and the page asked for, or a refusal
/// naming the field.
fn search_body(query: &InboxQuery) -> Result<(Value, i64), String> {
    let mut body = Map::new();
    let one_of = |field: &str, value: &str, allowed: &[&str]| {
        if value.is_empty() || allowed.contains(&value) {
            Ok(())
        } else {
            Err(format!("{field}: choose one of {}.", allowed.join(", ")))
        }
    };
    let codes: Vec<&str> = STATUSES.iter().map(|(code, _)| *code).collect();
    one_of("Status", &query.status, &codes)?;
    if !query.status.is_empty() {
        body.insert("statusCodes".into(), json!([query.status]));
    }
    let case_type = query.case_type.trim();
    if case_type.chars().count() > 64 || case_type.chars().any(char::is_control) {
        return Err("Case type: enter a type code of at most 64 characters.".to_owned());
    }
    if !case_type.is_empty() {
        body.insert("caseTypeCodes".into(), json!([case_type]));
    }
    one_of("Priority", &query.priority, &PRIORITIES)?;
    if !query.priority.is_empty() {
        body.insert("priorities".into(), json!([query.priority]));
    }
    one_of(
        "Assigned to",
        &query.assignee,
        &["mine", "unassigned", "any"],
    )?;
    if !query.assignee.is_empty() {
        body.insert("assignee".into(), json!(query.assignee));
    }
    one_of("Overdue only", &query.overdue, &["on"])?;
    if query.overdue == "on" {
        body.insert("overdue".into(), json!(true));
    }
    let q = query.q.trim();
    if q.chars().count() > 64 || q.chars().any(char::is_control) {
        return Err("Search: enter at most 64 characters.".to_owned());
    }
    if !q.is_empty() {
        body.insert("query".into(), json!(q));
    }
    let sorts: Vec<&str> = SORTS.iter().map(|(key, _)| *key).collect();
    one_of("Sort by", &query.sort, &sorts)?;
    if !query.sort.is_empty() {
        body.insert("sort".into(), json!(query.sort));
    }
    one_of("Order", &query.order, &["asc", "desc"])?;
    if !query.order.is_empty() {
        body.insert("order".into(), json!(query.order));
    }
    let page = if query.page.is_empty() {
        1
    } else {
        query
            .page
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=LAST_PAGE).contains(p))
            .ok_or_else(|| format!("Page: must be a whole number from 1 to {LAST_PAGE}."))?
    };
    body.insert("limit".into(), json!(PAGE_SIZE));
    body.insert("offset".into(), json!((page - 1) * PAGE_SIZE));
    Ok((Value::Object(body), page))
}

/// Puts the page of cases `found` (page `page`) into `view`.
fn fill(view: &mut InboxView, found: &SearchPage, page: i64) {
    view.total = found.total;
    view.total_capped = found.total_capped;
    if !found.cases.is_empty() {
        view.first = found.offset + 1;
        view.last = found.offset + found.cases.len() as i64;
    }
    view.rows = found.cases.iter().map(row).collect();
    let pages = ((found.total + PAGE_SIZE - 1) / PAGE_SIZE).clamp(1, LAST_PAGE);
    if pages > 1 {
        view.pages = pager(&view.query, page, pages);
    }
}

/// How the inbox lists `case`.
fn row(case: &InboxCase) -> InboxRow {
    let summary = &case.case;
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_owned());
    let customer = match (&case.focus_customer_name, &case.focus_customer_id) {
        (Some(name), Some(id)) => format!("{name} ({id})"),
        (None, Some(id)) => id.clone(),
        (Some(name), None) => name.clone(),
        (None, None) => "—".to_owned(),
    };
    InboxRow {
        href: super::case_path(&summary.case_id),
        case_id: summary.case_id.clone(),
        case_type: dash(&summary.case_type_code),
        status: status_name(&summary.case_status_code).to_owned(),
        priority: dash(&summary.priority),
        due: dash(&summary.due_date),
        overdue: case.overdue,
        assignee: summary
            .assignee
            .clone()
            .unwrap_or_else(|| "Unassigned".to_owned()),
        customer,
        locked_by: case.locked_by.clone(),
    }
}

/// The inbox's address for `query`, with `page`, `sort` and `order`
/// replaced; empty fields left out.
fn href(query: &InboxQuery, page: i64, sort: &str, order: &str) -> String {
    let page = page.to_string();
    let fields = [
        ("status", query.status.as_str()),
        ("type", query.case_type.trim()),
        ("priority", query.priority.as_str()),
        ("assignee", query.assignee.as_str()),
        ("overdue", query.overdue.as_str()),
        ("q", query.q.trim()),
        ("sort", sort),
        ("order", order),
        ("page", if page == "1" { "" } else { page.as_str() }),
    ];
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        if !value.is_empty() {
            out.append_pair(name, value);
        }
    }
    let encoded = out.finish();
    if encoded.is_empty() {
        "/console/cases".to_owned()
    } else {
        format!("/console/cases?{encoded}")
    }
}

/// Previous, up to five pages around `page`, the first and the last, next.
fn pager(query: &InboxQuery, page: i64, pages: i64) -> Vec<Link> {
    let at = |n: i64, label: String| Link {
        label,
        href: href(query, n, &query.sort, &query.order),
        current: n == page,
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(Link {
            current: false,
            ..at(page - 1, "Previous page".to_owned())
        });
    }
    let mut numbers: Vec<i64> = vec![1, pages];
    numbers.extend((page - 2).max(1)..=(page + 2).min(pages));
    numbers.sort_unstable();
    numbers.dedup();
    links.extend(numbers.into_iter().map(|n| at(n, n.to_string())));
    if page < pages {
        links.push(Link {
            current: false,
            ..at(page + 1, "Next page".to_owned())
        });
    }
    links
}

/// The sortable columns' headings: each sorts by its key ascending, or
/// the other way when the cases are sorted by it already.
fn headings(query: &InboxQuery) -> Vec<SortHeading> {
    let sorted_by = if query.sort.is_empty() {
        "dueDate"
    } else {
        query.sort.as_str()
    };
    let descending = query.order == "desc";
    SORTS
        .iter()
        .map(|(key, _)| {
            let current = *key == sorted_by;
            let (aria_sort, next) = match (current, descending) {
                (true, false) => ("ascending", "desc"),
                (true, true) => ("descending", "asc"),
                (false, _) => ("none", "asc"),
            };
            SortHeading {
                key,
                href: href(query, 1, key, next),
                aria_sort,
            }
        })
        .collect()
}
