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
use serde_json::json;

/// `POST /console/cases/{caseId}/lock`: Edit.
pub async fn lock(
    req: HttpRequest,
    analyst: Analyst,
    screens: web::Data<Screens>,
    path: web::Path<String>,
    form: web::Form<CaseForm>,
) -> Result<HttpResponse, ConsoleError> {
    let case_id = case_id(&path)?;
    analyst.check_csrf(&req, &form.csrf)?;
    require_write(&analyst)?;
    let body = json!({"caseId": case_id});
    let taken: Result<Locked, _> = screens.ecm.op("lockCase", &acting(&analyst), &body).await;
    match taken {
        Ok(_) => {
            tracing::info!("console: case lock taken");
            Ok(back_to(&case_id, &form.tab))
        }
        Err(e) => detail::refused(&screens, &analyst, &case_id, &form.tab, refusal(e)?).await,
    }
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
    let case_id = case_id(&path)?;
    analyst.check_csrf(&req, &form.csrf)?;
    require_write(&analyst)?;
    let body = json!({"caseId": case_id});
    let released: Result<Ack, _> = screens.ecm.op("unlockCase", &acting(&analyst), &body).await;
    match released {
        Ok(_) => Ok(back_to(&case_id, &form.tab)),
        Err(e) => detail::refused(&screens, &analyst, &case_id, &form.tab, refusal(e)?).await,
    }
}
