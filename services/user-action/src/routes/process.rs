//! The application's flow to the bank (SPEC §D): signalProcess (Submit,
//! Withdraw) and notifyRM.

use super::body::small_body;
use super::idempotency::once;
use super::AppState;
use crate::caller::Caller;
use crate::error::{CamError, ErrorCode};
use crate::prescribe;
use crate::process;
use crate::rows::{AuditRow, OutboxRow, RmRequestRow};
use crate::store;
use crate::store::flow::Stepped;
use crate::wire::{
    Fabric, FabricError, RmNotified, RmRequest, Signal, SignalRequest, Signalled, MAX_MESSAGE_CHARS,
};
use actix_web::{web, HttpRequest};
use serde_json::json;

/// Submit or withdraw the caller's application.
///
/// `Submit` needs every required action (not skippable) `Submitted` or
/// `Reviewed`; otherwise it is refused with 409 and `dbpErrMsg` naming each
/// pending `UserActionIdentifier`. A repeat answers the same as the first
/// (`Submitted`, also once the case is open or decided: the status as it
/// is now is `getUserActions`') and changes nothing. `Withdraw` is allowed until the
/// bank decides; a withdrawn application cannot be submitted.
#[utoipa::path(
    post, path = "/services/data/v1/CustomerActionsManagement/operations/UserAction/signalProcess", tag = "UserAction",
    request_body(content = SignalRequest, example = json!({"Signal": "Submit"})),
    security(("appKey" = [], "appSecret" = [], "userToken" = [])),
    responses(
        (status = 200, description = "Done, or done before: the application's status", body = Fabric<Signalled>, example = json!({"Application_id": "3X88WLM", "ApplicationStatus": "Submitted", "opstatus": 0, "httpStatusCode": 200})),
        (status = 400, description = "Signal is missing or not Submit or Withdraw", body = FabricError),
        (status = 401, description = "No app credentials or end-user token", body = FabricError),
        (status = 404, description = "The caller has no such application", body = FabricError),
        (status = 409, description = "10309: required actions are pending (each is named); 10301: the application's status does not allow it; 10310: the application was erased", body = FabricError,
            example = json!({"opstatus": 10309, "httpStatusCode": 409, "dbpErrCode": "10309", "dbpErrMsg": "Signal: Submit needs every required user action Submitted or Reviewed; pending: DriverLicense_1778258145_3X88WLM"})),
    )
)]
pub async fn signal_process(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<Fabric<Signalled>, CamError> {
    let (request, _): (SignalRequest, _) = small_body(&req, payload).await?;
    let (application, applicants) = state
        .application_of(&caller, request.application_id)
        .await?;
    // An erased application's applicants are tombstones: nothing to
    // submit, and nothing left to withdraw.
    state.refuse_erased(&application.id, "Signal").await?;
    let (step, kind) = process::step_of(request.signal);
    let now = service_kit::db::timestamp(chrono::Utc::now());
    // Only Submit is gated: on the actions, and on the pre-requirements
    // the catalog prescribes (made or not).
    let gated = request.signal == Signal::Submit;
    let prescribed = if gated {
        prescribe::prescribed(&state.catalog, &application.id, &applicants, true, &now)
    } else {
        Vec::new()
    };
    let event = OutboxRow::new(
        &application.id,
        kind,
        &json!({"Application_id": application.id, "ApplicationStatus": step.to}),
    );
    let (id, subject, state_in_db) = (
        application.id.clone(),
        caller.subject.clone(),
        state.clone(),
    );
    let stepped = state
        .db(move |conn| {
            store::flow::step(
                conn,
                &id,
                &subject,
                &step,
                |actions| {
                    if gated {
                        process::pending(&state_in_db.catalog, &applicants, &prescribed, actions)
                    } else {
                        Vec::new()
                    }
                },
                &event,
            )
        })
        .await?;
    let status = match stepped {
        Stepped::Made { from } => {
            // Committed with its outbox event: the dispatcher sends it now.
            state.outbox.wake();
            tracing::info!(application_id = %application.id, from = %from, to = step.to, "application status changed");
            step.to.to_owned()
        }
        // SPEC §D: "a second Submit answers the same, changing nothing".
        Stepped::Already => step.to.to_owned(),
        Stepped::Refused(status) => {
            return Err(CamError::new(
                ErrorCode::ForbiddenTransition,
                format!(
                    "Signal: the application is {status} and cannot be {}",
                    process::verb(request.signal)
                ),
            ))
        }
        Stepped::Pending(identifiers) => {
            return Err(CamError::new(
                ErrorCode::ActionsPending,
                format!(
                    "Signal: Submit needs every required user action Submitted or Reviewed; pending: {}",
                    identifiers.join(", ")
                ),
            ))
        }
        Stepped::Missing => return Err(CamError::no_application()),
    };
    Ok(Fabric::ok(Signalled {
        application_id: application.id,
        application_status: status,
    }))
}

/// Ask the bank for help with the caller's application.
///
/// The request is kept with the application (its message sealed) and
/// reaches the case workers: on the application's case once there is one.
#[utoipa::path(
    post, path = "/services/data/v1/CustomerActionsManagement/operations/UserAction/notifyRM", tag = "UserAction",
    request_body(content = RmRequest, example = json!({"Message": "Which payslips do you need?"})),
    params(("Idempotency-Key" = Option<String>, Header, nullable = false, pattern = "^[!-~]{1,255}$", description = "Repeats with the same key make one request, for the key's time to live (USER_ACTION_IDEMPOTENCY_TTL_SECS, a day by default)")),
    security(("appKey" = [], "appSecret" = [], "userToken" = [])),
    responses(
        (status = 200, description = "Received: the request's id", body = Fabric<RmNotified>, example = json!({"id": "60fe1b7edecbb711d1e76641", "opstatus": 0, "httpStatusCode": 200})),
        (status = 400, description = "Message is missing, blank or too long", body = FabricError),
        (status = 401, description = "No app credentials or end-user token", body = FabricError),
        (status = 404, description = "The caller has no such application", body = FabricError),
        (status = 409, description = "The Idempotency-Key is in use, or was used for a different request", body = FabricError),
    )
)]
pub async fn notify_rm(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<Fabric<RmNotified>, CamError> {
    let (request, raw): (RmRequest, _) = small_body(&req, payload).await?;
    if request.message.trim().is_empty() {
        return Err(CamError::new(
            ErrorCode::MissingField,
            "Message: is required",
        ));
    }
    if domain::text::longer_than(&request.message, MAX_MESSAGE_CHARS) {
        return Err(CamError::invalid(
            "Message",
            format!("must be at most {MAX_MESSAGE_CHARS} characters"),
        ));
    }
    let (application, _) = state
        .application_of(&caller, request.application_id.clone())
        .await?;
    let (state, caller, request, application) = (&state, &caller, &request, &application);
    let answer = once(state, &req, caller, "notifyRM", &raw, move || async move {
        let row = RmRequestRow {
            id: domain::ids::new_hex24(),
            application_id: application.id.clone(),
            subject: caller.subject.clone(),
            message: request.message.clone(),
            case_id: None,
            created_at: service_kit::db::timestamp(chrono::Utc::now()),
        };
        // The message stays in its sealed row: the audit trail and the
        // event name the request, and a delivery reads it from there.
        let audit = AuditRow::now(
            &application.id,
            &caller.subject,
            "rm-notified",
            &row.id,
            None,
            None,
        );
        let event = OutboxRow::new(
            &application.id,
            "rm.notified",
            &json!({"Application_id": application.id, "id": row.id, "ApplicationStatus": application.status}),
        );
        let (stored, keyring) = (row.clone(), state.keyring.clone());
        state
            .db(move |conn| store::flow::notify_rm(conn, &keyring, &stored, &audit, &event))
            .await?;
        state.outbox.wake();
        tracing::info!(application_id = %application.id, request = %row.id, "applicant asked for help");
        Ok(RmNotified { id: row.id })
    })
    .await?;
    Ok(Fabric::ok(answer))
}
