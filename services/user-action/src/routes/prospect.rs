//! createProspectProfile and updateProspectProfile: applications, their
//! applicants (parties in party-service) and the consents given.

use super::body::small_body;
use super::idempotency::once;
use super::AppState;
use crate::caller::Caller;
use crate::error::{CamError, ErrorCode};
use crate::prescribe::{self, MAIN};
use crate::rows::{ApplicantRow, ApplicationRow, AuditRow};
use crate::store;
use crate::store::intents;
use crate::wire::{ApplicantType, Fabric, FabricError, Profile, ProspectCreated, ProspectUpdated};
use actix_web::{web, HttpRequest};
use clients::CallError;
use domain::party::{ContactChannel, ContactPoint, Party, PartyInput, PartyKind};
use domain::PartyId;
use serde_json::{json, Value};
use service_kit::db::timestamp;

/// The party a profile describes.
fn party_input(profile: &Profile) -> Result<PartyInput, CamError> {
    let mut contact_points = vec![ContactPoint {
        channel: ContactChannel::Email,
        value: profile.email.as_str().to_owned(),
        usage: None,
    }];
    match (&profile.mobile_country_code, &profile.mobile_number) {
        (Some(code), Some(number)) => {
            let phone = format!("{}{}", code.0, number.0);
            if phone.len() > 16 {
                return Err(CamError::invalid(
                    "MobileNumber",
                    "with its country code must be at most 15 digits",
                ));
            }
            contact_points.push(ContactPoint {
                channel: ContactChannel::Phone,
                value: phone,
                usage: None,
            });
        }
        (None, Some(_)) => {
            return Err(CamError::invalid(
                "MobileCountryCode",
                "is required with MobileNumber",
            ))
        }
        _ => {}
    }
    Ok(PartyInput {
        kind: PartyKind::Person,
        first_name: Some(profile.first_name.clone()),
        middle_name: None,
        last_name: Some(profile.last_name.clone()),
        organisation_name: None,
        date_of_birth: Some(profile.date_of_birth),
        nationality: None,
        contact_points,
        identifiers: Vec::new(),
        addresses: Vec::new(),
        employment: None,
    })
}

/// The consent a profile records, if it carries one.
fn consent(profile: &Profile, application_id: &str, subject: &str) -> Option<AuditRow> {
    let identifier = profile.consent_identifier.as_ref()?;
    let status = profile.acceptance_status.as_ref().map(|s| s.as_str());
    Some(AuditRow::now(
        application_id,
        subject,
        "consent",
        identifier.as_str(),
        None,
        status,
    ))
}

fn applicant_row(
    entity_id: String,
    application_id: &str,
    party_id: &str,
    applicant_type: ApplicantType,
    profile: &Profile,
    now: &str,
) -> ApplicantRow {
    ApplicantRow {
        entity_id,
        application_id: application_id.to_owned(),
        party_id: party_id.to_owned(),
        applicant_type: applicant_type.as_str().to_owned(),
        first_name: profile.first_name.as_str().to_owned(),
        last_name: profile.last_name.as_str().to_owned(),
        is_existent_member: profile.is_existent_member,
        created_at: now.to_owned(),
        updated_at: now.to_owned(),
        sealed: false,
    }
}

/// Undoes a party create that failed, or whose application could not be
/// written, and forgets its intent; when party-service cannot delete it, the intent is
/// kept and the sweep removes the party later.
async fn forget_party(state: &AppState, party_id: &str) {
    match state.party.delete(party_id).await {
        Ok(_) => {
            state
                .forget_intents(intents::PARTY, vec![party_id.to_owned()])
                .await
        }
        Err(e) => {
            tracing::error!(party_id, error = %e, "could not delete the party of a failed create")
        }
    }
}

/// After the write of what `party_id` was made for (an application, an
/// applicant) `failed`: `found` says whether it is there all the same (a
/// commit whose answer was lost with the connection). If it is, that is
/// the answer: success, which an Idempotency-Key keeps. If it is not, the
/// party is deleted and the error answered. Unknown, the party is kept;
/// its intent lets the sweep remove it if the write did not happen.
async fn written_after_all(
    state: &AppState,
    party_id: &str,
    found: Result<bool, CamError>,
    failed: CamError,
) -> Result<(), CamError> {
    match found {
        Ok(true) => {
            tracing::warn!(party_id, "a write in doubt did happen; answered as done");
            Ok(())
        }
        Ok(false) => {
            forget_party(state, party_id).await;
            Err(failed)
        }
        Err(_) => {
            tracing::error!(party_id, "kept a party whose application is in doubt");
            Err(failed)
        }
    }
}

/// How many ids a party create tries: more than one only when a random
/// id was given out before.
const PARTY_ID_ATTEMPTS: usize = 3;

/// Makes a party for `caller` under an id chosen here and recorded as an
/// intent before party-service is called, so that a party whose answer is
/// lost (party-service killed after its commit) is found by the sweep.
/// When the create fails, a party it may have made is deleted at once.
async fn make_party(
    state: &AppState,
    caller: &Caller,
    input: &PartyInput,
    operation: &str,
) -> Result<Party, CamError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let id = PartyId::random();
        state
            .intend(intents::PARTY, vec![id.to_string()], caller)
            .await?;
        let e = match state.party.create(&id, input).await {
            Ok(party) => return Ok(party),
            Err(e) => e,
        };
        match &e {
            // A refusal made nothing, and a 409's id is another party's
            // (the client never repeats a create): not ours to delete.
            CallError::Status { status, .. } if status.is_client_error() => {
                state
                    .forget_intents(intents::PARTY, vec![id.to_string()])
                    .await;
                if status.as_u16() == 409 && attempt < PARTY_ID_ATTEMPTS {
                    continue;
                }
            }
            _ => forget_party(state, id.as_str()).await,
        }
        return Err(refused_by_party(e, operation));
    }
}

/// Create the application and its main applicant.
#[utoipa::path(
    post, path = "/services/data/v1/CustomerActionsManagement/operations/PersonalInfo/createProspectProfile", tag = "PersonalInfo",
    request_body = Profile,
    params(("Idempotency-Key" = Option<String>, Header, nullable = false, pattern = "^[!-~]{1,255}$", description = "Repeats with the same key create one application, for the key's time to live (USER_ACTION_IDEMPOTENCY_TTL_SECS, a day by default)")),
    security(("appKey" = [], "appSecret" = [], "userToken" = [])),
    responses(
        (status = 200, description = "Created", body = Fabric<ProspectCreated>, example = json!({"Application_id": "3X88WLM", "Party_Id": "1778258145", "opstatus": 0, "httpStatusCode": 200})),
        (status = 400, description = "A field is invalid", body = FabricError),
        (status = 401, description = "No app credentials or end-user token", body = FabricError),
        (status = 409, description = "The Idempotency-Key is in use, or was used for a different request", body = FabricError),
        (status = 415, description = "Not JSON", body = FabricError),
        (status = 503, description = "party-service is unavailable; nothing was created", body = FabricError),
        (status = 504, description = "party-service timed out; nothing was created", body = FabricError),
    )
)]
pub async fn create_prospect_profile(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<Fabric<ProspectCreated>, CamError> {
    let (profile, raw): (Profile, _) = small_body(&req, payload).await?;
    if profile.applicant_type == Some(ApplicantType::CoApplicant) {
        return Err(CamError::invalid(
            "ApplicantType",
            "must be Applicant: co-applicants are added with updateProspectProfile",
        ));
    }
    let input = party_input(&profile)?;
    let (state, caller, profile, input) = (&state, &caller, &profile, &input);
    let answer = once(state, &req, caller, "createProspectProfile", &raw, move || async move {
        let party = make_party(state, caller, input, "createProspectProfile").await?;
        let now = timestamp(chrono::Utc::now());
        let application = ApplicationRow {
            id: domain::ids::new_application_id(),
            owner_subject: caller.subject.clone(),
            main_party_id: party.id.to_string(),
            // The server alone sets an application's status, and the bank
            // alone knows whether the applicant is its customer: the
            // profile's `Status` and `IsExistingCustomer` (the seed's
            // sample sends both) are read and not kept.
            status: crate::process::IN_PROGRESS.to_owned(),
            branch_reference: profile.branch_reference.as_ref().map(|s| s.to_string()),
            section_progress: profile.section_progress.as_ref().map(|s| s.to_string()),
            is_existing_customer: None,
            created_at: now.clone(),
            updated_at: now.clone(),
        };
        let main = applicant_row(domain::ids::new_hex24(), &application.id, party.id.as_str(), ApplicantType::Applicant, profile, &now);
        let actions = prescribe::prescribed(&state.catalog, &application.id, std::slice::from_ref(&main), false, &now);
        let mut events = vec![AuditRow::now(&application.id, &caller.subject, "application-created", &application.id, None, Some(&application.status))];
        events.extend(consent(profile, &application.id, &caller.subject));
        let new = store::applications::NewApplication::of(&state.keyring, application.clone(), main, actions, events);
        let created = state.new_applications.run(new).await.and_then(|created| created).map_err(CamError::from);
        if let Err(e) = created {
            let (owner, id) = (caller.subject.clone(), application.id.clone());
            let found = state.db(move |conn| store::applications::of_owner(conn, &owner, Some(&id))).await.map(|a| a.is_some());
            written_after_all(state, party.id.as_str(), found, e).await?;
        }
        tracing::info!(application_id = %application.id, party_id = %party.id, "application created");
        Ok(ProspectCreated {
            application_id: application.id,
            party_id: party.id.to_string(),
        })
    })
    .await?;
    Ok(Fabric::ok(answer))
}

/// party-service refused a party we validated: our rules and its rules
/// disagree, which is a fault of ours, not the caller's.
fn refused_by_party(e: CallError, operation: &str) -> CamError {
    match e {
        CallError::Status { status, .. } if status.is_client_error() => CamError::internal(
            anyhow::anyhow!("party-service refused the party of {operation} with {status}"),
        ),
        other => CamError::from_peer(other),
    }
}

/// Add a co-applicant to the caller's application, or update one.
#[utoipa::path(
    post, path = "/services/data/v1/CustomerActionsManagement/operations/PersonalInfo/updateProspectProfile", tag = "PersonalInfo",
    request_body = Profile,
    params(("Idempotency-Key" = Option<String>, Header, nullable = false, pattern = "^[!-~]{1,255}$", description = "Repeats with the same key add one co-applicant, for the key's time to live (USER_ACTION_IDEMPOTENCY_TTL_SECS, a day by default)")),
    security(("appKey" = [], "appSecret" = [], "userToken" = [])),
    responses(
        (status = 200, description = "Added or updated", body = Fabric<ProspectUpdated>, example = json!({"EntityId": "60fe1abbdecbb711d1e76620", "Party_Id": "1075992239", "opstatus": 0, "httpStatusCode": 200})),
        (status = 400, description = "A field is invalid", body = FabricError),
        (status = 401, description = "No app credentials or end-user token", body = FabricError),
        (status = 404, description = "The caller has no such application", body = FabricError),
        (status = 409, description = "The Idempotency-Key is in use, or was used for a different request; or the application is submitted, withdrawn or decided and its applicants no longer change (10301); or the application was erased (10310)", body = FabricError),
        (status = 503, description = "party-service is unavailable; nothing was changed", body = FabricError),
        (status = 504, description = "party-service timed out", body = FabricError),
    )
)]
pub async fn update_prospect_profile(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<Fabric<ProspectUpdated>, CamError> {
    let (profile, raw): (Profile, _) = small_body(&req, payload).await?;
    let input = party_input(&profile)?;
    let (application, applicants) = state
        .application_of(&caller, profile.application_id.clone())
        .await?;
    state
        .refuse_erased(&application.id, "Application_id")
        .await?;
    // The applicants are what the bank's case is opened on: they are
    // settled by submission.
    if !crate::process::applicants_open(&application.status) {
        return Err(CamError::new(
            ErrorCode::ForbiddenTransition,
            format!(
                "Application_id: the application is {}; its applicants no longer change",
                application.status
            ),
        ));
    }
    let known = profile
        .entity_id
        .as_ref()
        .and_then(|id| applicants.iter().find(|a| &a.entity_id == id))
        .cloned();
    let (state, caller, profile, input, application, applicants) =
        (&state, &caller, &profile, &input, &application, &applicants);
    let answer = once(
        state,
        &req,
        caller,
        "updateProspectProfile",
        &raw,
        move || async move {
            let (entity_id, party_id) = match known {
                Some(applicant) => {
                    update_applicant(state, caller, application, &applicant, profile, input).await?
                }
                None => {
                    add_co_applicant(state, caller, application, applicants, profile, input).await?
                }
            };
            Ok(ProspectUpdated {
                entity_id,
                party_id,
            })
        },
    )
    .await?;
    Ok(Fabric::ok(answer))
}

async fn update_applicant(
    state: &AppState,
    caller: &Caller,
    application: &ApplicationRow,
    applicant: &ApplicantRow,
    profile: &Profile,
    input: &PartyInput,
) -> Result<(String, String), CamError> {
    let patch: Value = json!({
        "firstName": input.first_name, "lastName": input.last_name,
        "dateOfBirth": input.date_of_birth, "contactPoints": input.contact_points,
    });
    state
        .party
        .update(&applicant.party_id, &patch)
        .await
        .map_err(|e| refused_by_party(e, "updateProspectProfile"))?;
    let mut events = vec![AuditRow::now(
        &application.id,
        &caller.subject,
        "applicant-updated",
        &applicant.entity_id,
        None,
        None,
    )];
    events.extend(consent(profile, &application.id, &caller.subject));
    let keyring = state.keyring.clone();
    let (entity, first, last, member) = (
        applicant.entity_id.clone(),
        profile.first_name.to_string(),
        profile.last_name.to_string(),
        profile.is_existent_member,
    );
    state
        .db(move |conn| {
            store::applications::rename_applicant(
                conn, &keyring, &entity, &first, &last, member, &events,
            )
        })
        .await?;
    Ok((applicant.entity_id.clone(), applicant.party_id.clone()))
}

async fn add_co_applicant(
    state: &AppState,
    caller: &Caller,
    application: &ApplicationRow,
    applicants: &[ApplicantRow],
    profile: &Profile,
    input: &PartyInput,
) -> Result<(String, String), CamError> {
    if profile.applicant_type == Some(ApplicantType::Applicant)
        && applicants.iter().any(|a| a.applicant_type == MAIN)
    {
        return Err(CamError::new(
            ErrorCode::InvalidField,
            "ApplicantType: the application has its main applicant; add a CoApplicant",
        ));
    }
    // Checked here so that a full application makes no party; checked
    // again as the co-applicant is written, where additions at once queue.
    let max = state.max_co_applicants;
    let full = || {
        CamError::new(
            ErrorCode::CoApplicantLimit,
            format!("the application has {max} co-applicants, the most it may have"),
        )
    };
    if applicants
        .iter()
        .filter(|a| a.applicant_type != MAIN)
        .count()
        >= max
    {
        return Err(full());
    }
    let party = make_party(state, caller, input, "updateProspectProfile").await?;
    let now = timestamp(chrono::Utc::now());
    let applicant = applicant_row(
        domain::ids::new_hex24(),
        &application.id,
        party.id.as_str(),
        ApplicantType::CoApplicant,
        profile,
        &now,
    );
    let mut everyone = applicants.to_vec();
    everyone.push(applicant.clone());
    let actions: Vec<_> =
        prescribe::prescribed(&state.catalog, &application.id, &everyone, false, &now)
            .into_iter()
            .filter(|a| a.entity_id == applicant.entity_id)
            .collect();
    let mut events = vec![AuditRow::now(
        &application.id,
        &caller.subject,
        "applicant-added",
        &applicant.entity_id,
        None,
        Some("CoApplicant"),
    )];
    events.extend(consent(profile, &application.id, &caller.subject));
    let (row, keyring) = (applicant.clone(), state.keyring.clone());
    let written = state
        .db(move |conn| {
            store::applications::add_applicant(conn, &keyring, &row, &actions, &events, max)
        })
        .await
        .and_then(|added| if added { Ok(()) } else { Err(full()) });
    if let Err(e) = written {
        let (application_id, entity_id) = (application.id.clone(), applicant.entity_id.clone());
        let keyring = state.keyring.clone();
        let found = state
            .db(move |conn| store::applications::applicants_of(conn, &keyring, &application_id))
            .await
            .map(|rows| rows.iter().any(|a| a.entity_id == entity_id));
        written_after_all(state, party.id.as_str(), found, e).await?;
    }
    tracing::info!(application_id = %application.id, entity_id = %applicant.entity_id, "co-applicant added");
    Ok((applicant.entity_id, party.id.to_string()))
}
