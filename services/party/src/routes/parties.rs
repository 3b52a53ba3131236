//! The handlers of the parties resource, one per operation.

use super::{AppState, BASE};
use crate::caller::Caller;
use crate::store::parties::{self, Filter};
use crate::store::StoreError;
use crate::wire::parties::{ListQuery, Party, PartyInput, PartyPage};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::text::parse_iso_date;
use domain::{FieldError, PartyId};
use service_kit::body::{parse_json, parse_query, read_json, DEFAULT_JSON_LIMIT};
use service_kit::error::Problem;
use service_kit::{InputError, ProblemError};

/// Checks the rules spanning fields, which serde cannot.
fn checked(input: PartyInput) -> Result<PartyInput, ProblemError> {
    let violations = input.violations();
    if violations.is_empty() {
        Ok(input)
    } else {
        Err(violations.into())
    }
}

/// The header with which a caller chooses a new party's id.
pub const PARTY_ID_HEADER: &str = "X-Party-Id";

/// The id the caller chose for a new party (`X-Party-Id`), so that a
/// caller who loses the answer can still delete it; `None` for a fresh one.
fn chosen_id(req: &HttpRequest) -> Result<Option<PartyId>, ProblemError> {
    let Some(value) = req.headers().get(PARTY_ID_HEADER) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| PartyId::parse(v).ok())
        .map(Some)
        .ok_or_else(|| {
            InputError::field(
                PARTY_ID_HEADER,
                "must be a party id: 10 digits, the first not 0",
            )
            .into()
        })
}

/// A path id that is not a party id names no party.
fn path_id(raw: &str) -> Result<PartyId, ProblemError> {
    PartyId::parse(raw).map_err(|_| ProblemError::NotFound("party"))
}

/// Create a party.
#[utoipa::path(
    post, path = "/party/v1/parties", tag = "parties",
    request_body = PartyInput,
    params(("X-Party-Id" = Option<String>, Header, pattern = "^[1-9][0-9]{9}$", description = "The new party's id, chosen by the caller so that it can delete the party even when the answer is lost; by default a new one")),
    responses(
        (status = 201, description = "Created", body = Party, headers(("Location" = String, description = "The party's URL"))),
        (status = 400, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid internal credential", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The X-Party-Id is taken, or was deleted", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create(
    _caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ProblemError> {
    let chosen = chosen_id(&req)?;
    let input = checked(read_json::<PartyInput>(&req, payload, DEFAULT_JSON_LIMIT).await?)?;
    // Sealed here, so that the batch's writer only writes.
    let new = parties::NewParty::of(&state.keyring, input, chosen);
    let rows = state.creates.run(new).await?.map_err(|e| match e {
        StoreError::IdTaken => ProblemError::Conflict(format!("{PARTY_ID_HEADER}: {e}")),
        other => other.into(),
    })?;
    let party = rows.into_party(&state.keyring).map_err(StoreError::from)?;
    tracing::info!(party_id = %party.id, "party created");
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("{BASE}/parties/{}", party.id)))
        .json(party))
}

/// Read a party.
#[utoipa::path(
    get, path = "/party/v1/parties/{id}", tag = "parties",
    params(("id" = String, Path, pattern = "^[1-9][0-9]{9}$", description = "The party id: 10 digits")),
    responses(
        (status = 200, description = "The party", body = Party),
        (status = 401, description = "No valid internal credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such party", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn read(
    _caller: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ProblemError> {
    let id = path_id(&id)?;
    let keyring = state.keyring.clone();
    let found = state
        .db
        .run(move |conn| parties::find(conn, &keyring, &id).map_err(ProblemError::from))
        .await?;
    let (party, _) = found.ok_or(ProblemError::NotFound("party"))?;
    Ok(HttpResponse::Ok().json(party))
}

/// How many times an update re-reads a party that changed under it.
const UPDATE_ATTEMPTS: usize = 3;

/// Update a party with a JSON merge patch (RFC 7396): the fields sent
/// replace the stored ones, `null` clears a field, and a list sent replaces
/// the whole list. The result must still be a valid party.
#[utoipa::path(
    patch, path = "/party/v1/parties/{id}", tag = "parties",
    params(("id" = String, Path, pattern = "^[1-9][0-9]{9}$", description = "The party id: 10 digits")),
    request_body(content = Object, content_type = "application/merge-patch+json",
        description = "A JSON merge patch of the party's writable fields"),
    responses(
        (status = 200, description = "The updated party", body = Party),
        (status = 400, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid internal credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such party", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The party kept changing concurrently", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update(
    _caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ProblemError> {
    let id = path_id(&id)?;
    let patch: serde_json::Value = read_json(&req, payload, DEFAULT_JSON_LIMIT).await?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let lookup = id.clone();
        let keys = state.keyring.clone();
        let found = state
            .db
            .run(move |conn| parties::find(conn, &keys, &lookup).map_err(ProblemError::from))
            .await?;
        let (current, version) = found.ok_or(ProblemError::NotFound("party"))?;
        let mut merged = serde_json::to_value(&current.input).map_err(anyhow::Error::from)?;
        json_patch::merge(&mut merged, &patch);
        let bytes = serde_json::to_vec(&merged).map_err(anyhow::Error::from)?;
        let input = checked(parse_json::<PartyInput>(&bytes)?)?;
        let target = id.clone();
        let keys = state.keyring.clone();
        let outcome = state
            .db
            .run(move |conn| {
                Ok::<_, ProblemError>(parties::update(conn, &keys, &target, version, &input))
            })
            .await?;
        match outcome {
            Ok(party) => {
                tracing::info!(party_id = %party.id, "party updated");
                return Ok(HttpResponse::Ok().json(party));
            }
            Err(StoreError::Stale) if attempt < UPDATE_ATTEMPTS => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// Delete a party (a caller undoing a create it could not complete, or
/// erasing personal data on request).
#[utoipa::path(
    delete, path = "/party/v1/parties/{id}", tag = "parties",
    params(("id" = String, Path, pattern = "^[1-9][0-9]{9}$", description = "The party id: 10 digits")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid internal credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such party (its id is spent all the same: a create with it as X-Party-Id is refused)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete(
    _caller: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ProblemError> {
    let id = path_id(&id)?;
    let target = id.clone();
    let deleted = state
        .db
        .run(move |conn| parties::delete(conn, &target).map_err(ProblemError::from))
        .await?;
    if !deleted {
        return Err(ProblemError::NotFound("party"));
    }
    tracing::info!(party_id = %id, "party deleted");
    Ok(HttpResponse::NoContent().finish())
}

/// The default and the largest page size.
const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 100;

/// List parties, filtered, a page at a time.
#[utoipa::path(
    get, path = "/party/v1/parties", tag = "parties",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of parties, by id", body = PartyPage),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid internal credential", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    _caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ProblemError> {
    let query: ListQuery = parse_query(req.query_string())?;
    let mut errors = Vec::new();
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        errors.push(FieldError::new(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        ));
    }
    if let Some(Err(message)) = query.date_of_birth.as_deref().map(parse_iso_date) {
        errors.push(FieldError::new("dateOfBirth", message));
    }
    let cursor = match query.cursor.as_deref().map(PartyId::parse) {
        Some(Err(_)) => {
            errors.push(FieldError::new(
                "cursor",
                "is not a cursor this list returned",
            ));
            None
        }
        Some(Ok(id)) => Some(id),
        None => None,
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let filter = Filter {
        last_name: query.last_name,
        date_of_birth: query.date_of_birth,
        email: query.email,
        tax_id: query.tax_id,
    };
    let keyring = state.keyring.clone();
    let (items, more) = state
        .db
        .run(move |conn| {
            parties::list(conn, &keyring, &filter, cursor.as_ref(), limit)
                .map_err(ProblemError::from)
        })
        .await?;
    let next_cursor = if more {
        items.last().map(|p| p.id.to_string())
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(PartyPage { items, next_cursor }))
}
