//! The bank's business records, an internal API (internal credential):
//! loaded in bulk with idempotent upserts, read back one at a time.

use super::AppState;
use crate::loading;
use crate::store::records;
use crate::wire::records::{
    Account, BusinessRecord, ExternalEntity, Loaded, RawEntry, Record, RecordKind, Transaction,
};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use service_kit::auth::InternalPeer;
use service_kit::body::{parse_json, read_limited};
use service_kit::error::Problem;
use service_kit::{InputError, ProblemError};

/// Load business records.
///
/// A JSON array of `{kind, record}` entries (`kind` is `account`,
/// `externalEntity` or `transaction`; `record` has the fields of the ECM
/// operation that adds it). Each record replaces any stored under the same
/// kind and id, so loading the same entries again changes nothing. All or
/// nothing: a refused entry (named by its index and field) loads none.
#[utoipa::path(
    post, path = "/case/v1/business-records", tag = "business records (internal)",
    request_body(content = Vec<BusinessRecord>, description = "The records to load, at most `CASE_MAX_BUSINESS_RECORDS_PER_REQUEST`"),
    responses(
        (status = 200, description = "Every record loaded", body = Loaded),
        (status = 400, description = "An entry is invalid; nothing was loaded", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid internal credential", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body, or the number of entries, is over the limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable; nothing was loaded", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn load(
    _caller: InternalPeer,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ProblemError> {
    if !service_kit::body::is_json(&req) {
        return Err(InputError::UnsupportedMediaType {
            expected: "application/json",
        }
        .into());
    }
    let body = read_limited(&req, payload, state.max_business_body).await?;
    let entries: Vec<RawEntry> = parse_json(&body)?;
    if entries.is_empty() {
        return Err(InputError::field("body", "must hold at least one record").into());
    }
    if entries.len() > state.max_business_records {
        return Err(ProblemError::Rule {
            rule: "too-many-records",
            status: StatusCode::PAYLOAD_TOO_LARGE,
            field: "body",
            message: format!(
                "carries {} records; at most {} are accepted per request",
                entries.len(),
                state.max_business_records
            ),
        });
    }
    let records = loading::sort(&entries, |index| format!("[{index}]"))?;
    let loaded = Loaded::from(&records);
    let keyring = state.keyring.clone();
    let at = service_kit::db::timestamp(chrono::Utc::now());
    state
        .db
        .run(move |conn| {
            records::load_business(conn, &keyring, &records, &at).map_err(ProblemError::from)
        })
        .await?;
    tracing::info!(
        accounts = loaded.accounts,
        external_entities = loaded.external_entities,
        transactions = loaded.transactions,
        "business records loaded"
    );
    Ok(HttpResponse::Ok().json(loaded))
}

/// Read a business record.
#[utoipa::path(
    get, path = "/case/v1/business-records/{kind}/{id}", tag = "business records (internal)",
    params(
        ("kind" = inline(RecordKind), Path, description = "`account`, `externalEntity` or `transaction`"),
        ("id" = String, Path, description = "The record's id"),
    ),
    responses(
        (status = 200, description = "The record, as loaded", body = BusinessRecord),
        (status = 401, description = "No valid internal credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn read(
    _caller: InternalPeer,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ProblemError> {
    let (kind, id) = path.into_inner();
    let kind = RecordKind::ALL
        .into_iter()
        .find(|k| k.as_str() == kind)
        .ok_or(ProblemError::NotFound("business record"))?;
    let keyring = state.keyring.clone();
    let found = state
        .db
        .run(move |conn| {
            let ids = [id.as_str()];
            Ok::<_, ProblemError>(match kind {
                RecordKind::Account => {
                    one::<Account>(conn, &keyring, &ids)?.map(BusinessRecord::Account)
                }
                RecordKind::ExternalEntity => {
                    one::<ExternalEntity>(conn, &keyring, &ids)?.map(BusinessRecord::ExternalEntity)
                }
                RecordKind::Transaction => {
                    one::<Transaction>(conn, &keyring, &ids)?.map(BusinessRecord::Transaction)
                }
            })
        })
        .await?;
    found
        .map(|record| HttpResponse::Ok().json(record))
        .ok_or(ProblemError::NotFound("business record"))
}

/// The business record of kind `R` with the one id of `ids`.
fn one<R: Record>(
    conn: &mut service_kit::DbConnection,
    keyring: &service_kit::Keyring,
    ids: &[&str],
) -> Result<Option<R>, service_kit::Failure> {
    Ok(records::business::<R>(conn, keyring, ids)?
        .into_values()
        .next())
}
