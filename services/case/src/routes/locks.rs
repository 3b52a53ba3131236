//! Case locks (ours): `lockCase` takes or renews a case's lock,
//! `unlockCase` releases it. While one subject holds a case, every change
//! to it by anyone else is refused with the vendor's 409 "Case is locked
//! by another user X."; a lock expires by itself after `CASE_LOCK_SECONDS`.

use super::body::{case_id_of, parse_object, read_body};
use super::{case_answer, AppState};
use crate::caller::{Access, Caller};
use crate::error::EcmError;
use crate::store::audit::Change;
use crate::store::{locks, Write};
use crate::wire::batch::CaseResult;
use crate::wire::envelope::{locked_by, Envelope, Status, NO_SUCH_CASE};
use crate::wire::locks::{CaseLock, LockRequest, LockResponse};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use diesel::QueryResult;
use service_kit::DbConnection;

/// Reads `{caseId}` for a caller who may change cases, and runs `work`
/// on the case with the caller's change: the case id and what `work`
/// returned.
async fn on_case<T: Send + 'static>(
    req: &HttpRequest,
    payload: web::Payload,
    caller: &Caller,
    state: &AppState,
    work: impl FnOnce(&mut DbConnection, &str, &Change) -> QueryResult<T> + Send + 'static,
) -> Result<(String, T), EcmError> {
    caller.require(Access::Write)?;
    let body = read_body(req, payload, state).await?;
    let case_id = case_id_of(&parse_object(&body, &["caseId"])?)?;
    let change = Change::now(&caller.subject);
    let id = case_id.clone();
    let done = state
        .db
        .run(move |conn| Ok::<_, EcmError>(work(conn, &id, &change)?))
        .await?;
    Ok((case_id, done))
}

/// Lock a case, or renew one's lock (ours).
///
/// `{caseId}`: the caller holds the case for `CASE_LOCK_SECONDS` (by
/// default 900) from now; meanwhile every change to it by anyone else is
/// refused. Taking it again renews it. Refused (409), changing nothing,
/// while another user holds it.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/lockCase", tag = "ECM (ours)",
    request_body(content = LockRequest),
    responses(
        (status = 200, description = "\"Case locked successfully.\", with the lock the caller holds", body = LockResponse),
        (status = 400, description = "\"Case does not exist.\" (with `caseId`); or the body is not the documented shape, or has no caseId or a bad one", body = Envelope),
        (status = 409, description = "\"Case is locked by another user X.\", with `caseId`: nothing changed", body = CaseResult),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn lock_case(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    let seconds = state.lock_seconds;
    let (case_id, taken) = on_case(&req, payload, &caller, &state, move |conn, id, change| {
        locks::take(conn, id, &locks::expiry(change, seconds), change)
    })
    .await?;
    Ok(match taken {
        Write::Done(lock) => {
            tracing::info!("case locked");
            HttpResponse::Ok().json(LockResponse {
                result: CaseResult {
                    message: "Case locked successfully.".to_owned(),
                    status: Status::Success,
                    case_id,
                },
                lock: CaseLock::from(lock),
            })
        }
        Write::NoSuchCase => case_answer(StatusCode::BAD_REQUEST, &case_id, NO_SUCH_CASE.into()),
        Write::Locked(locked) => {
            case_answer(StatusCode::CONFLICT, &case_id, locked_by(&locked.holder))
        }
    })
}

/// Release one's lock of a case (ours).
///
/// `{caseId}`. Only the holder releases a lock (anyone else's waits for it
/// to expire); a case not locked (never, released or expired) answers
/// "Case is not locked." with a 200, so that a release can be retried.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/unlockCase", tag = "ECM (ours)",
    request_body(content = LockRequest),
    responses(
        (status = 200, description = "\"Case unlocked successfully.\", or \"Case is not locked.\"", body = CaseResult),
        (status = 400, description = "\"Case does not exist.\" (with `caseId`); or the body is not the documented shape, or has no caseId or a bad one", body = Envelope),
        (status = 409, description = "\"Case is locked by another user X.\", with `caseId`: nothing changed", body = CaseResult),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn unlock_case(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    let (case_id, released) = on_case(&req, payload, &caller, &state, locks::release).await?;
    let (status, message) = match released {
        Write::Done(true) => (StatusCode::OK, "Case unlocked successfully.".to_owned()),
        Write::Done(false) => (StatusCode::OK, "Case is not locked.".to_owned()),
        Write::NoSuchCase => (StatusCode::BAD_REQUEST, NO_SUCH_CASE.to_owned()),
        Write::Locked(locked) => (StatusCode::CONFLICT, locked_by(&locked.holder)),
    };
    Ok(case_answer(status, &case_id, message))
}
