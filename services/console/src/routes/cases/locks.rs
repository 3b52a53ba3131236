//! Taking and releasing a case's lock: "Edit" (a POST, never a GET) takes
//! it, and the actions are shown to its holder; "Done" releases it, as
//! does `console.js` when the page is left (a beacon). A lock nobody
//! releases expires by itself in case-service.

use super::{acting, back_to, case_id, detail, refusal, require_write, Screens};
use crate::caller::Analyst;
use crate::error::ConsoleError;
use crate::wire::cases::CaseForm;
use actix_web::{web, HttpRequest, HttpResponse};
use clients::ecm::{Ack, Locked};
use serde::de::DeserializeOwned;
use serde_json::json;

/// `POST /console/cases/{caseId}/lock`: Edit.
pub async fn lock(
    req: HttpRequest,
    analyst: Analyst,
    screens: web::Data<Screens>,
    path: web::Path<String>,
    form: web::Form<CaseForm>,
) -> Result<HttpResponse, ConsoleError> {
    change_lock::<Locked>(&req, &analyst, &screens, &path, &form, "lockCase").await
}

/// `POST /console/cases/{caseId}/unlock`: Done (or the page left).
/// Releasing a lock the caller does not hold changes nothing.
pub async fn unlock(
    req: HttpRequest,
    analyst: Analyst,
    screens: web::Data<Screens>,
    path: web::Path<String>,
    form: web::Form<CaseForm>,
) -> Result<HttpResponse, ConsoleError> {
    change_lock::<Ack>(&req, &analyst, &screens, &path, &form, "unlockCase").await
}

/// Checks the token and the role, and asks case-service to `op` (take or
/// release) the lock of the case at `path`, whose answer is a `T`; a 303
/// back to the case, or its page with the refusal.
async fn change_lock<T: DeserializeOwned>(
    req: &HttpRequest,
    analyst: &Analyst,
    screens: &Screens,
    path: &str,
    form: &CaseForm,
    op: &str,
) -> Result<HttpResponse, ConsoleError> {
    let case_id = case_id(path)?;
    analyst.check_csrf(req, &form.csrf)?;
    require_write(analyst)?;
    let body = json!({"caseId": case_id});
    let changed: Result<T, _> = screens.ecm.op(op, &acting(analyst), &body).await;
    match changed {
        Ok(_) => {
            tracing::info!(op, "console: case lock changed");
            Ok(back_to(&case_id, &form.tab))
        }
        Err(e) => detail::refused(screens, analyst, &case_id, &form.tab, refusal(e)?).await,
    }
}
