//! The user actions: getUserActions, createPreRequirements,
//! updateUserAction and updateUserActionBulk.

use super::body::small_body;
use super::AppState;
use crate::caller::Caller;
use crate::catalog::Definition;
use crate::error::{CamError, ErrorCode};
use crate::prescribe;
use crate::render::{self, Style};
use crate::rows::{ActionRow, AuditRow};
use crate::store::{self, actions::Change};
use crate::wire::{
    ActionGroups, ActionQuery, ActionUpdate, ActionUpdated, ActionsUpdated, ApplicationQuery,
    BulkUpdate, CreatedGroups, Fabric, FabricError, Status, UpdatedAction, MAX_RESPONSE_CHARS,
};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use service_kit::body::{parse_json_object, read_limited, DEFAULT_JSON_LIMIT};
use service_kit::InputError;

/// List the caller's actions, grouped by `Group`.
#[utoipa::path(
    post, path = "/services/data/v1/CustomerActionsManagement/operations/UserAction/getUserActions", tag = "UserAction",
    request_body = ActionQuery,
    security(("appKey" = [], "appSecret" = [], "userToken" = [])),
    responses(
        (status = 200, description = "The actions, each group an array under its name, with `count`", body = ActionGroups),
        (status = 400, description = "A field is invalid", body = FabricError),
        (status = 401, description = "No app credentials or end-user token", body = FabricError),
        (status = 404, description = "The caller has no application", body = FabricError),
    )
)]
pub async fn get_user_actions(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, CamError> {
    let (query, _): (ActionQuery, _) = small_body(&req, payload).await?;
    let pre = query.is_pre;
    let (application, revision) = state
        .revisions
        .read((caller.subject, query.application_id))
        .await?
        .ok_or_else(CamError::no_application)?;
    let listing = |body| {
        HttpResponse::Ok()
            .content_type("application/json")
            .body(body)
    };
    if let Some(body) = state.listings.get(&application, pre, revision) {
        return Ok(listing(body));
    }
    // The revision was read first, so the rows read now are at least as new
    // as it: a listing is never labelled newer than it is.
    let state_in_db = state.clone();
    let body = state
        .db(move |conn| {
            let applicants =
                store::applications::applicants_of(conn, &state_in_db.keyring, &application)?;
            let actions =
                store::actions::of_application(conn, &state_in_db.keyring, &application, pre)?;
            let (status, pending) = store::applications::standing(conn, &application)?
                .ok_or(diesel::result::Error::NotFound)?;
            let groups =
                render::grouped(&state_in_db.catalog, &actions, &applicants, Style::Listed)
                    .with_application(&application, &status, pending);
            Ok(serde_json::to_vec(&groups).map(|body| {
                let body = bytes::Bytes::from(body);
                state_in_db
                    .listings
                    .put(&application, pre, revision, body.clone());
                body
            }))
        })
        .await?
        .map_err(CamError::internal)?;
    Ok(listing(body))
}

/// Create, idempotently, the pre-requirement actions the catalog prescribes.
#[utoipa::path(
    post, path = "/services/data/v1/CustomerActionsManagement/operations/UserAction/createPreRequirements", tag = "UserAction",
    request_body(content(
        (crate::wire::PreRequirementsForm = "application/x-www-form-urlencoded", example = json!({"jsondata": "{}"})),
        (ApplicationQuery = "application/json"),
    )),
    security(("appKey" = [], "appSecret" = [], "userToken" = [])),
    responses(
        (status = 200, description = "The application's pre-requirement actions, grouped, with `count` and `id`", body = CreatedGroups),
        (status = 400, description = "jsondata is invalid", body = FabricError),
        (status = 401, description = "No app credentials or end-user token", body = FabricError),
        (status = 404, description = "The caller has no application", body = FabricError),
        (status = 409, description = "The application was erased (10310)", body = FabricError),
    )
)]
pub async fn create_pre_requirements(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, CamError> {
    let query = pre_requirements_body(&req, payload).await?;
    let (application, applicants) = state.application_of(&caller, query.application_id).await?;
    state
        .refuse_erased(&application.id, "Application_id")
        .await?;
    let now = service_kit::db::timestamp(chrono::Utc::now());
    let candidates =
        prescribe::prescribed(&state.catalog, &application.id, &applicants, true, &now);
    let (app_id, keyring) = (application.id.clone(), state.keyring.clone());
    let actions = state
        .db(move |conn| {
            // Two calls at once may race to insert the same identifiers; the
            // unique index stops the second, and a second pass finds them all.
            if let Err(e) = store::actions::create_missing(conn, &keyring, &app_id, &candidates) {
                if !service_kit::db::is_unique_violation(&e) {
                    return Err(e);
                }
                store::actions::create_missing(conn, &keyring, &app_id, &candidates)?;
            }
            store::actions::of_application(conn, &keyring, &app_id, Some(true))
        })
        .await?;
    let groups = render::grouped(&state.catalog, &actions, &applicants, Style::Created)
        .with_id(&application.id);
    Ok(HttpResponse::Ok().json(groups))
}

/// The body of createPreRequirements: `jsondata={...}` form-encoded, as the
/// seed sends it, or the same object as JSON.
async fn pre_requirements_body(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<ApplicationQuery, CamError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let body = read_limited(req, payload, DEFAULT_JSON_LIMIT).await?;
    if content_type.starts_with("application/x-www-form-urlencoded") {
        // A second `jsondata` is refused, not ignored: which one counts would
        // be a guess (as a JSON key sent twice is refused).
        let mut sent = form_urlencoded::parse(&body).filter(|(key, _)| key == "jsondata");
        let jsondata = sent
            .next()
            .map(|(_, value)| value.into_owned())
            .ok_or_else(|| CamError::new(ErrorCode::MissingField, "jsondata: is required"))?;
        if sent.next().is_some() {
            return Err(CamError::new(
                ErrorCode::MalformedBody,
                "jsondata: must be sent once",
            ));
        }
        return parse_json_object(jsondata.as_bytes()).map_err(|e| prefix_field(e, "jsondata"));
    }
    if service_kit::body::is_json(req) {
        return Ok(parse_json_object(&body)?);
    }
    Err(InputError::UnsupportedMediaType {
        expected: "application/x-www-form-urlencoded or application/json",
    }
    .into())
}

/// Names a field inside the form's `jsondata` as `jsondata.Field`.
fn prefix_field(e: InputError, prefix: &str) -> CamError {
    match e {
        InputError::Invalid(errors) => match errors.into_iter().next() {
            Some(error) if error.field == "body" => CamError::new(
                ErrorCode::MalformedBody,
                format!("{prefix}: {}", error.message),
            ),
            Some(error) => CamError::invalid(&format!("{prefix}.{}", error.field), error.message),
            None => CamError::invalid(prefix, "is invalid"),
        },
        other => other.into(),
    }
}

/// An update checked against the action and the status rules: the change
/// to apply, or the id of the identical update already applied.
enum Checked {
    Change(Box<Change>),
    AlreadyApplied(String),
}

/// Checks one update; `field` prefixes the names in its errors.
async fn check_update(
    state: &AppState,
    caller: &Caller,
    update: &ActionUpdate,
    field: &str,
) -> Result<(ActionRow, Checked), CamError> {
    if update.user_action_identifier.trim().is_empty() {
        return Err(CamError::new(
            ErrorCode::MissingField,
            format!("{field}UserActionIdentifier: is required"),
        ));
    }
    if domain::text::longer_than(&update.response, MAX_RESPONSE_CHARS) {
        return Err(CamError::invalid(
            &format!("{field}Response"),
            format!("must be at most {MAX_RESPONSE_CHARS} characters"),
        ));
    }
    if let Some(comment) = &update.review_comment {
        if update.status != Status::Rejected {
            return Err(CamError::invalid(
                &format!("{field}ReviewComment"),
                "is sent only with Status Rejected",
            ));
        }
        if domain::text::longer_than(comment, MAX_RESPONSE_CHARS) {
            return Err(CamError::invalid(
                &format!("{field}ReviewComment"),
                format!("must be at most {MAX_RESPONSE_CHARS} characters"),
            ));
        }
    }
    let reviewing = matches!(update.status, Status::Reviewed | Status::Rejected);
    if reviewing && !caller.roles.contains(&state.reviewer_role) {
        return Err(CamError::new(
            ErrorCode::Forbidden,
            format!("{field}Status: only a reviewer may set Reviewed or Rejected"),
        ));
    }
    let (action, application, definition) = state
        .owned_action(caller, &update.user_action_identifier, reviewing)
        .await?;
    state
        .refuse_erased(&application.id, &format!("{field}UserActionIdentifier"))
        .await?;
    if !reviewing {
        super::actions_open(&application)?;
    }
    let target = update.status.as_str();
    if action.status == target && action.response == update.response {
        if let Some(id) = &action.last_update_id {
            return Ok((action.clone(), Checked::AlreadyApplied(id.clone())));
        }
    }
    if !transition_allowed(&action.status, update.status, &definition) {
        return Err(CamError::new(
            ErrorCode::ForbiddenTransition,
            format!(
                "{field}Status: a {} action cannot go from {} to {target}",
                action.name, action.status
            ),
        ));
    }
    if update.status == Status::Submitted && definition.action_type == "DocumentUpload" {
        let id = action.id.clone();
        let attached = state
            .db(move |conn| store::actions::document_count(conn, &id))
            .await?;
        if attached == 0 {
            return Err(CamError::new(
                ErrorCode::DocumentsRequired,
                format!(
                    "{field}Status: upload the documents of {} before submitting it",
                    action.identifier
                ),
            ));
        }
    }
    let update_id = domain::ids::new_hex24();
    let event = AuditRow::now(
        &action.application_id,
        &caller.subject,
        "status-change",
        &action.identifier,
        Some(&action.status),
        Some(target),
    );
    let change = Change {
        action_id: action.id.clone(),
        version: action.version,
        status: target.to_owned(),
        response: update.response.clone(),
        update_id,
        review_comment: review_comment(update),
        event,
        request_id: service_kit::observe::current_request_id(),
    };
    Ok((action, Checked::Change(Box::new(change))))
}

/// What an update does to the action's review comment: a rejection
/// writes the reviewer's (or none), a new submission or an acceptance
/// clears it, and the applicant's return to `Created` keeps it in view.
fn review_comment(update: &ActionUpdate) -> Option<Option<String>> {
    match update.status {
        Status::Rejected => Some(update.review_comment.clone()),
        Status::Submitted | Status::Reviewed => Some(None),
        Status::Created | Status::Skipped => None,
    }
}

/// The status rules: Created → Submitted, or Skipped when skippable;
/// Submitted → Reviewed or Rejected when it needs review; Rejected → Created.
fn transition_allowed(from: &str, to: Status, definition: &Definition) -> bool {
    match (from, to) {
        ("Created", Status::Submitted) | ("Rejected", Status::Created) => true,
        ("Created", Status::Skipped) => definition.skippable,
        ("Submitted", Status::Reviewed | Status::Rejected) => definition.needs_review,
        _ => false,
    }
}

/// Applies checked updates at once; a concurrent change makes it a 409.
async fn apply(
    state: &AppState,
    checked: Vec<(ActionRow, Checked)>,
) -> Result<Vec<(String, String)>, CamError> {
    let mut answers = Vec::new();
    let mut changes = Vec::new();
    for (action, update) in checked {
        match update {
            Checked::AlreadyApplied(id) => answers.push((action.identifier, id)),
            Checked::Change(change) => {
                answers.push((action.identifier, change.update_id.clone()));
                changes.push(*change);
            }
        }
    }
    if !changes.is_empty() {
        let keyring = state.keyring.clone();
        let applied = state
            .db(move |conn| store::actions::apply(conn, &keyring, &changes))
            .await?;
        if !applied {
            return Err(CamError::new(
                ErrorCode::ForbiddenTransition,
                "Status: the user action changed meanwhile; read it and try again",
            ));
        }
    }
    Ok(answers)
}

/// Change one action's status (and response).
#[utoipa::path(
    post, path = "/services/data/v1/CustomerActionsManagement/operations/UserAction/updateUserAction", tag = "UserAction",
    request_body = ActionUpdate,
    security(("appKey" = [], "appSecret" = [], "userToken" = [])),
    responses(
        (status = 200, description = "Applied (or already applied: the same id again)", body = Fabric<ActionUpdated>, example = json!({"opstatus": 0, "id": "60fe1b7edecbb711d1e76641", "httpStatusCode": 200})),
        (status = 400, description = "A field is invalid", body = FabricError),
        (status = 401, description = "No app credentials or end-user token", body = FabricError),
        (status = 403, description = "Only reviewers set Reviewed or Rejected", body = FabricError),
        (status = 404, description = "No such action of the caller", body = FabricError),
        (status = 409, description = "The status change is not allowed, or the application is withdrawn, decided (10301) or erased (10310)", body = FabricError),
    )
)]
pub async fn update_user_action(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<Fabric<ActionUpdated>, CamError> {
    let (update, _): (ActionUpdate, _) = small_body(&req, payload).await?;
    let checked = check_update(&state, &caller, &update, "").await?;
    let mut answers = apply(&state, vec![checked]).await?;
    let (_, id) = answers.remove(0);
    Ok(Fabric::ok(ActionUpdated { id }))
}

/// The most updates one bulk call takes.
const MAX_BULK: usize = 100;

/// Change several actions at once: all or none.
#[utoipa::path(
    post, path = "/services/data/v1/CustomerActionsManagement/operations/UserAction/updateUserActionBulk", tag = "UserAction",
    request_body = BulkUpdate,
    security(("appKey" = [], "appSecret" = [], "userToken" = [])),
    responses(
        (status = 200, description = "All applied", body = Fabric<ActionsUpdated>, example = json!({"UserActions": [{"UserActionIdentifier": "DriverLicense_1778258145_3X88WLM", "id": "60fe1b7edecbb711d1e76641"}], "opstatus": 0, "httpStatusCode": 200})),
        (status = 400, description = "A field is invalid (named with its index)", body = FabricError),
        (status = 401, description = "No app credentials or end-user token", body = FabricError),
        (status = 403, description = "Only reviewers set Reviewed or Rejected", body = FabricError),
        (status = 404, description = "No such action of the caller", body = FabricError),
        (status = 409, description = "A status change is not allowed, or the application is withdrawn, decided (10301) or erased (10310); nothing was applied", body = FabricError),
    )
)]
pub async fn update_user_action_bulk(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<Fabric<ActionsUpdated>, CamError> {
    let (bulk, _): (BulkUpdate, _) = small_body(&req, payload).await?;
    if bulk.user_actions.is_empty() || bulk.user_actions.len() > MAX_BULK {
        return Err(CamError::invalid(
            "UserActions",
            format!("must hold 1 to {MAX_BULK} updates"),
        ));
    }
    let mut checked = Vec::new();
    for (i, update) in bulk.user_actions.iter().enumerate() {
        if bulk.user_actions[..i]
            .iter()
            .any(|u| u.user_action_identifier == update.user_action_identifier)
        {
            return Err(CamError::invalid(
                &format!("UserActions[{i}].UserActionIdentifier"),
                "appears twice",
            ));
        }
        checked.push(check_update(&state, &caller, update, &format!("UserActions[{i}].")).await?);
    }
    let answers = apply(&state, checked).await?;
    let user_actions = answers
        .into_iter()
        .map(|(user_action_identifier, id)| UpdatedAction {
            user_action_identifier,
            id,
        })
        .collect();
    Ok(Fabric::ok(ActionsUpdated { user_actions }))
}
