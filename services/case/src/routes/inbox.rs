//! The case workers' inbox (ours, issue 15): `searchCases`.

use super::body::{bad_limit, invalid, parse_object, read_body, MAX_LIMIT};
use super::AppState;
use crate::caller::{Access, Caller};
use crate::error::EcmError;
use crate::rows::customer;
use crate::rows::CaseRow;
use crate::status;
use crate::store::audit::Change;
use crate::store::inbox::{self, Assigned, Query, Search, Sort};
use crate::wire::cases::CaseSummary;
use crate::wire::envelope::{Envelope, Status};
use crate::wire::inbox::{InboxCase, SearchRequest, SearchResponse};
use crate::wire::values::Id;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};
use service_kit::body::whole_number;
use service_kit::Keyring;

/// The page size when none is asked for.
const DEFAULT_LIMIT: i64 = 25;
/// The most cases a search skips: deeper pages are for narrower filters.
pub const MAX_OFFSET: i64 = 10_000;
/// The most matches a search counts: past the deepest page it reaches
/// (`MAX_OFFSET` + `MAX_LIMIT`) the exact number changes nothing a caller
/// can do, and counting it costs a scan of every match.
pub const MAX_COUNT: i64 = MAX_OFFSET + MAX_LIMIT;
/// The most codes one filter lists.
const MAX_CODES: usize = 20;

/// Search cases: the case workers' inbox (ours).
///
/// `{statusCodes, caseTypeCodes, priorities, assignee, overdue, query,
/// sort, order, limit, offset}`, each optional: the cases that match every
/// filter sent, sorted, a page of them by offset, and how many match in
/// all, counted up to 10,100 (`totalCapped` says when more do). `assignee` is `mine` (the caller's cases), `unassigned` or `any`;
/// `overdue: true` keeps the cases due before today (UTC) that are not
/// closed; `query` matches a case id exactly or by its beginning, a
/// customer id exactly, or a customer's full name (first and last name, or
/// an organisation's name) or last name, whole, in any case and spacing
/// (through a keyed blind index: names are sealed). Each
/// case carries whether it is overdue, its focus customer and who holds
/// its lock.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/searchCases", tag = "ECM (ours)",
    request_body(content = SearchRequest),
    responses(
        (status = 200, description = "A page of the matching cases, and how many match", body = SearchResponse),
        (status = 400, description = "The body is not the documented shape, or a field is invalid (the message names it)", body = Envelope),
        crate::wire::envelope::ReadRefusals,
    )
)]
pub async fn search_cases(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    caller.require(Access::Read)?;
    let body = read_body(&req, payload, &state).await?;
    let now = Change::now(&caller.subject).at;
    let today = now.get(..10).unwrap_or_default().to_owned();
    let search = search_of(&body, &caller.subject, &today, &state.keyring)?;
    let (limit, offset) = (search.limit, search.offset);
    let found = state
        .db
        .run(move |conn| Ok::<_, EcmError>(inbox::search(conn, &search, &now)?))
        .await?;
    let cases = found
        .cases
        .into_iter()
        .map(|(row, locked_by)| inbox_case(row, locked_by, &today))
        .collect();
    Ok(HttpResponse::Ok().json(SearchResponse {
        message: "Cases fetched successfully.".to_owned(),
        status: Status::Success,
        total: found.total,
        total_capped: found.capped,
        limit,
        offset,
        cases,
    }))
}

/// A case as the inbox lists it, on `today`.
fn inbox_case(row: CaseRow, locked_by: Option<String>, today: &str) -> InboxCase {
    let closed = status::by_code(&row.case_status_code).is_some_and(|s| s.closed);
    let overdue = !closed && row.due_date.as_deref().is_some_and(|due| due < today);
    let focus_customer_id = row.focus_customer_id.clone();
    InboxCase {
        case: CaseSummary::from(row),
        overdue,
        focus_customer_id,
        locked_by,
    }
}

/// Reads and checks a search for `subject` on `today`; a refusal names the
/// field.
fn search_of(
    body: &[u8],
    subject: &str,
    today: &str,
    keyring: &Keyring,
) -> Result<Search, EcmError> {
    let fields = parse_object(
        body,
        &[
            "statusCodes",
            "caseTypeCodes",
            "priorities",
            "assignee",
            "overdue",
            "query",
            "sort",
            "order",
            "limit",
            "offset",
        ],
    )?;
    let statuses = codes(&fields, "statusCodes", |code| {
        status::by_code(code).is_some()
    })
    .map_err(|()| {
        let known: Vec<&str> = status::STATUSES.iter().map(|s| s.code).collect();
        bad("statusCodes", &list_of(&known))
    })?;
    let types = codes(&fields, "caseTypeCodes", |code| Id::parse(code).is_ok()).map_err(|()| {
        bad(
            "caseTypeCodes",
            &format!("must be a list of at most {MAX_CODES} codes, each 1 to 64 characters, not blank, without control characters"),
        )
    })?;
    let priorities = codes(&fields, "priorities", |p| {
        status::priority_rank(p).is_some()
    })
    .map_err(|()| bad("priorities", &list_of(&status::PRIORITIES)))?;
    let assigned = match word(&fields, "assignee", &["mine", "unassigned", "any"])? {
        Some("mine") => Assigned::To(subject.to_owned()),
        Some("unassigned") => Assigned::Unassigned,
        _ => Assigned::Any,
    };
    let overdue_before = match fields.get("overdue") {
        None | Some(Value::Null) | Some(Value::Bool(false)) => None,
        Some(Value::Bool(true)) => Some(today.to_owned()),
        Some(_) => return Err(bad("overdue", "must be true or false")),
    };
    let query = match fields.get("query") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(query_of(text, keyring)?),
        Some(_) => return Err(bad("query", "must be a string")),
    };
    let sort = match word(
        &fields,
        "sort",
        &[
            "dueDate",
            "priority",
            "createdOn",
            "statusChanged",
            "caseId",
        ],
    )? {
        Some("priority") => Sort::Priority,
        Some("createdOn") => Sort::CreatedOn,
        Some("statusChanged") => Sort::StatusChanged,
        Some("caseId") => Sort::CaseId,
        _ => Sort::DueDate,
    };
    let descending = word(&fields, "order", &["asc", "desc"])? == Some("desc");
    let limit = match fields.get("limit") {
        None | Some(Value::Null) => DEFAULT_LIMIT,
        Some(value) => whole_number(value, 1..=MAX_LIMIT).ok_or_else(bad_limit)?,
    };
    let offset = match fields.get("offset") {
        None | Some(Value::Null) => 0,
        Some(value) => whole_number(value, 0..=MAX_OFFSET).ok_or_else(|| {
            bad(
                "offset",
                &format!("must be a whole number from 0 to {MAX_OFFSET}"),
            )
        })?,
    };
    Ok(Search {
        statuses,
        types,
        priorities,
        assigned,
        overdue_before,
        query,
        sort,
        descending,
        limit,
        offset,
        count_up_to: MAX_COUNT,
    })
}

/// The most characters of `query`: a full name is a first and a last
/// name of up to 255 each.
const MAX_QUERY: usize = 512;

/// What `query` matches: the text as an id where it can be one, and as a
/// name (its blind index, normalised: case and spacing do not matter).
fn query_of(text: &str, keyring: &Keyring) -> Result<Query, EcmError> {
    if text.chars().count() > MAX_QUERY {
        return Err(bad(
            "query",
            &format!("must be at most {MAX_QUERY} characters"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(bad("query", "must not contain control characters"));
    }
    let name_key =
        customer::name_key(keyring, text).ok_or_else(|| bad("query", "must not be blank"))?;
    Ok(Query {
        id: Id::parse(text).ok().map(|id| id.to_string()),
        name_key,
    })
}

fn bad(field: &str, why: &str) -> EcmError {
    EcmError::Invalid(invalid(field, why))
}

/// The rule of a list of known values.
fn list_of(known: &[&str]) -> String {
    format!(
        "must be a list of at most {MAX_CODES} of {}",
        known.join(", ")
    )
}

/// The list of strings `name` (empty when absent or `null`): at most
/// [`MAX_CODES`], each one `valid` takes; duplicates are dropped.
fn codes(
    fields: &Map<String, Value>,
    name: &str,
    valid: impl Fn(&str) -> bool,
) -> Result<Vec<String>, ()> {
    let values = match fields.get(name) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(values)) if values.len() <= MAX_CODES => values,
        Some(_) => return Err(()),
    };
    let mut codes: Vec<String> = Vec::with_capacity(values.len());
    for value in values {
        match value {
            Value::String(code) if valid(code) => {
                if !codes.contains(code) {
                    codes.push(code.clone());
                }
            }
            _ => return Err(()),
        }
    }
    Ok(codes)
}

/// The string `name`, one of `words` (`None` when absent or `null`).
fn word<'a>(
    fields: &Map<String, Value>,
    name: &str,
    words: &[&'a str],
) -> Result<Option<&'a str>, EcmError> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => words
            .iter()
            .find(|w| **w == s.as_str())
            .map(|w| Some(*w))
            .ok_or_else(|| bad(name, &format!("must be one of {}", words.join(", ")))),
        Some(_) => Err(bad(name, &format!("must be one of {}", words.join(", ")))),
    }
}
