//! The CAM operations: a module per resource, a handler per operation,
//! what the handlers share, and their registration.

pub mod actions;
pub mod applications;
pub mod audit;
mod body;
pub mod decisions;
pub mod documents;
mod idempotency;
pub mod process;
pub mod prospect;

use crate::caller::{Authenticator, Caller};
use crate::catalog::{Catalog, Definition};
use crate::error::{CamError, ErrorCode};
use crate::listing::Listings;
use crate::rows::{ActionRow, ApplicantRow, ApplicationRow};
use crate::store;
use actix_web::middleware::from_fn;
use actix_web::{web, HttpResponse};
use clients::{DocumentClient, PartyClient};
use service_kit::db::Batched;
use service_kit::limit::rate_limit;
use service_kit::server::internal_scope;
use service_kit::{Database, DbConnection, Failure, Keyring, ProblemError};

/// The base path of the CAM operations.
pub const BASE: &str = "/services/data/v1/CustomerActionsManagement/operations";

/// The base path of user-action's internal API (the internal credential,
/// never routed by the gateway): case-service's decisions, the console's
/// applications and their documents, the outbox's delivery log.
pub const INTERNAL_BASE: &str = "/user-action/v1";

/// What the handlers share.
pub struct AppState {
    /// The service's database.
    pub db: Database,
    /// Wakes the outbox's dispatcher once an event has been committed.
    pub outbox: outbox::Waker,
    /// The action catalog.
    pub catalog: Catalog,
    /// party-service.
    pub party: PartyClient,
    /// document-service.
    pub documents: DocumentClient,
    /// The largest uploadDocument body.
    pub upload_limit: usize,
    /// The role that may review actions.
    pub reviewer_role: String,
    /// The most co-applicants an application may have.
    pub max_co_applicants: usize,
    /// How many documents an action, and how many bytes an application,
    /// may hold.
    pub document_limits: store::actions::DocumentLimits,
    /// The events in a page of the audit trail when the request names no
    /// `limit`.
    pub audit_page_size: i64,
    /// Rendered getUserActions answers.
    pub listings: Listings,
    /// The revision of a caller's application, read for every getUserActions
    /// waiting at once ([`store::revisions::of_owners`]).
    pub revisions: Batched<store::revisions::Owner, Option<(String, i64)>>,
    /// Records intents, one statement for all those waiting
    /// ([`store::intents::record_all`]).
    pub intents: Batched<store::intents::Intended, Result<(), Failure>>,
    /// Creates applications, one transaction for all those waiting
    /// ([`store::applications::create_all`]).
    pub new_applications: Batched<store::applications::NewApplication, Result<(), Failure>>,
    /// How long Idempotency-Keys live and their claims hold.
    pub idempotency: store::idempotency::Lifetimes,
    /// Seals and opens the personal values the service stores.
    pub keyring: Keyring,
}

/// Registers the CAM scope: the rate limit (by end user, else app, else
/// peer address), the eleven operations, and a CAM 404 for any other path;
/// and the one internal scope (see [`internal_scope`]): case-service's
/// decisions, the console's applications and their documents, and the
/// outbox's delivery log.
pub fn register(
    cfg: &mut web::ServiceConfig,
    state: web::Data<AppState>,
    authenticator: web::Data<Authenticator>,
    delivery_log: outbox::api::Log,
) {
    let limiter = authenticator.clone();
    cfg.service(
        internal_scope(INTERNAL_BASE)
            .app_data(state.clone())
            .service(
                web::resource("/applications/{applicationId}/decisions")
                    .route(web::post().to(decisions::decide)),
            )
            .service(
                web::resource("/applications")
                    .route(web::get().to(applications::list_applications)),
            )
            .service(
                web::resource("/applications/{applicationId}/documents/{documentId}/content")
                    .route(web::get().to(applications::document_content)),
            )
            .configure(|cfg| outbox::api::register(cfg, delivery_log)),
    );
    cfg.service(
        web::scope(BASE)
            .app_data(state)
            .app_data(authenticator)
            .wrap(from_fn(move |req, next| {
                let authenticator = limiter.clone();
                rate_limit::<CamError, _>(req, next, move |req| {
                    authenticator.rate_limit_client(req)
                })
            }))
            .service(
                web::resource("/PersonalInfo/createProspectProfile")
                    .route(web::post().to(prospect::create_prospect_profile)),
            )
            .service(
                web::resource("/PersonalInfo/updateProspectProfile")
                    .route(web::post().to(prospect::update_prospect_profile)),
            )
            .service(
                web::resource("/UserAction/uploadDocument")
                    .route(web::post().to(documents::upload_document)),
            )
            .service(
                web::resource("/UserAction/getUserActions")
                    .route(web::post().to(actions::get_user_actions)),
            )
            .service(
                web::resource("/UserAction/updateUserAction")
                    .route(web::post().to(actions::update_user_action)),
            )
            .service(
                web::resource("/UserAction/updateUserActionBulk")
                    .route(web::post().to(actions::update_user_action_bulk)),
            )
            .service(
                web::resource("/UserAction/createPreRequirements")
                    .route(web::post().to(actions::create_pre_requirements)),
            )
            .service(
                web::resource("/UserAction/getDocument")
                    .route(web::post().to(documents::get_document)),
            )
            .service(
                web::resource("/UserAction/signalProcess")
                    .route(web::post().to(process::signal_process)),
            )
            .service(
                web::resource("/UserAction/notifyRM").route(web::post().to(process::notify_rm)),
            )
            .service(
                web::resource("/Audit/getAuditEvents")
                    .route(web::post().to(audit::get_audit_events)),
            )
            .default_service(web::to(no_operation)),
    );
}

impl AppState {
    /// Runs a database unit of work.
    pub async fn db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> diesel::QueryResult<T> + Send + 'static,
    ) -> Result<T, CamError> {
        self.db
            .run(move |conn| work(conn).map_err(ProblemError::from))
            .await
            .map_err(CamError::from)
    }

    /// Records that `ids` of `kind` (`store::intents`) are being made in
    /// another service for `caller`, before or as they are made: the sweep
    /// removes them unless the request records them.
    pub async fn intend(
        &self,
        kind: &'static str,
        ids: Vec<String>,
        caller: &Caller,
    ) -> Result<(), CamError> {
        self.intents
            .run((kind, ids, caller.subject.clone()))
            .await??;
        Ok(())
    }

    /// Forgets the intents of `ids`, removed from their service by the
    /// request that made them. Left to the sweep when that fails: it finds
    /// them already gone.
    pub async fn forget_intents(&self, kind: &'static str, ids: Vec<String>) {
        if ids.is_empty() {
            return;
        }
        if let Err(e) = self
            .db(move |conn| store::intents::forget(conn, kind, &ids))
            .await
        {
            tracing::warn!(error = %e, kind, "intents of removed things left to the sweep");
        }
    }

    /// The caller's application (`id`, or their latest) and its applicants.
    pub async fn application_of(
        &self,
        caller: &Caller,
        id: Option<String>,
    ) -> Result<(ApplicationRow, Vec<ApplicantRow>), CamError> {
        let (owner, keyring) = (caller.subject.clone(), self.keyring.clone());
        let found = self
            .db(move |conn| {
                let Some(application) = store::applications::of_owner(conn, &owner, id.as_deref())?
                else {
                    return Ok(None);
                };
                let applicants =
                    store::applications::applicants_of(conn, &keyring, &application.id)?;
                Ok(Some((application, applicants)))
            })
            .await?;
        found.ok_or_else(CamError::no_application)
    }

    /// Refuses (409, named by `field`) a change to an application whose
    /// personal data was erased: a change would write personal data
    /// again into a record kept only as a skeleton.
    pub async fn refuse_erased(&self, application_id: &str, field: &str) -> Result<(), CamError> {
        let id = application_id.to_owned();
        let erased = self
            .db(move |conn| store::erasure::is_erased(conn, &id))
            .await?;
        if erased {
            Err(CamError::erased(field))
        } else {
            Ok(())
        }
    }

    /// An action the caller may act on: their own, or any for a reviewer
    /// (`any_owner`). Someone else's action answers exactly like a missing
    /// one.
    pub async fn owned_action(
        &self,
        caller: &Caller,
        identifier: &str,
        any_owner: bool,
    ) -> Result<(ActionRow, ApplicationRow, Definition), CamError> {
        let (identifier, keyring) = (identifier.to_owned(), self.keyring.clone());
        let found = self
            .db(move |conn| {
                let Some(action) = store::actions::by_identifier(conn, &keyring, &identifier)?
                else {
                    return Ok(None);
                };
                let application = store::applications::find(conn, &action.application_id)?;
                Ok(application.map(|application| (action, application)))
            })
            .await?;
        let (action, application) = found
            .filter(|(_, application)| any_owner || application.owner_subject == caller.subject)
            .ok_or_else(CamError::no_action)?;
        let definition = self
            .catalog
            .get(&action.name)
            .map(|(_, d)| d.clone())
            .ok_or_else(CamError::no_action)?;
        Ok((action, application, definition))
    }
}

/// Refuses an applicant's change to the actions of an application that is
/// withdrawn or decided (SPEC §D: the flow ends there).
pub fn actions_open(application: &ApplicationRow) -> Result<(), CamError> {
    if crate::process::actions_open(&application.status) {
        return Ok(());
    }
    Err(CamError::new(
        ErrorCode::ForbiddenTransition,
        format!(
            "Application_id: the application is {}; its actions no longer change",
            application.status
        ),
    ))
}

/// Any other path under the CAM prefix.
async fn no_operation() -> Result<HttpResponse, CamError> {
    Err(CamError::new(
        ErrorCode::OperationNotFound,
        "operation: no such operation",
    ))
}

/// Whether `text` has the shape of a stored time,
/// `YYYY-MM-DDTHH:MM:SS.ffffffZ` (`service_kit::db::timestamp`).
pub(crate) fn is_timestamp(text: &str) -> bool {
    const SHAPE: &[u8] = b"dddd-dd-ddTdd:dd:dd.ddddddZ";
    text.len() == SHAPE.len()
        && SHAPE
            .iter()
            .zip(text.bytes())
            .all(|(&shape, byte)| match shape {
                b'd' => byte.is_ascii_digit(),
                literal => byte == literal,
            })
}
