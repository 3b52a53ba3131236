//! Erasing an application's personal data (issue 17, "Retention and
//! erasure"): the application, its applicants, actions and audit trail are
//! kept as a skeleton, with every personal value replaced by
//! [`ERASED`]; attachments and stored Idempotency-Key answers go. What
//! other services hold (parties, documents, case customers) is named by
//! the [`Plan`] for the caller to erase there first.

use super::record;
use crate::rows::{ActionRow, ApplicantRow, AuditRow, RmRequestRow};
use crate::schema::{
    action_documents, applicants, applications, audit_events, idempotency_keys, rm_requests,
    user_actions,
};
use diesel::prelude::*;
use domain::erasure::ERASED;
use service_kit::db::{write_transaction, DbConnection};
use service_kit::Keyring;

/// The audit event an erasure leaves in the application's trail.
pub const ERASED_EVENT: &str = "application-erased";

/// What names the application to erase.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// The application, by id.
    Application(&'a str),
    /// The application this party is an applicant of.
    Party(&'a str),
}

/// An application to erase and what it names in other services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The application.
    pub application_id: String,
    /// Its end user (the owner of its documents and Idempotency-Keys).
    pub owner_subject: String,
    /// Its applicants' parties, the main applicant's first.
    pub party_ids: Vec<String>,
    /// The documents attached to its actions, in document-service.
    pub document_ids: Vec<String>,
    /// Whether it was erased before (its trail has the erasure's event).
    pub erased_before: bool,
}

/// The application `target` names, and what to erase; `None` when there is
/// no such application.
pub fn plan(conn: &mut DbConnection, target: Target<'_>) -> QueryResult<Option<Plan>> {
    let application_id = match target {
        Target::Application(id) => id.to_owned(),
        Target::Party(party) => {
            let found: Option<String> = applicants::table
                .filter(applicants::party_id.eq(party))
                .select(applicants::application_id)
                .first(conn)
                .optional()?;
            match found {
                Some(id) => id,
                None => return Ok(None),
            }
        }
    };
    let found: Option<(String, String)> = applications::table
        .find(&application_id)
        .select((applications::owner_subject, applications::main_party_id))
        .first(conn)
        .optional()?;
    let Some((owner_subject, main_party_id)) = found else {
        return Ok(None);
    };
    let mut party_ids = vec![main_party_id];
    let applicant_parties: Vec<String> = applicants::table
        .filter(applicants::application_id.eq(&application_id))
        .order(applicants::created_at)
        .select(applicants::party_id)
        .load(conn)?;
    for party in applicant_parties {
        if !party_ids.contains(&party) {
            party_ids.push(party);
        }
    }
    let document_ids = action_documents::table
        .inner_join(user_actions::table.on(user_actions::id.eq(action_documents::action_id)))
        .filter(user_actions::application_id.eq(&application_id))
        .order(action_documents::document_id)
        .select(action_documents::document_id)
        .load(conn)?;
    let erased_before = is_erased(conn, &application_id)?;
    Ok(Some(Plan {
        application_id,
        owner_subject,
        party_ids,
        document_ids,
        erased_before,
    }))
}

/// Whether the application's trail records its erasure: then it takes no
/// more changes.
pub fn is_erased(conn: &mut DbConnection, application_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        audit_events::table
            .filter(audit_events::application_id.eq(application_id))
            .filter(audit_events::kind.eq(ERASED_EVENT)),
    ))
    .get_result(conn)
}

/// What an erasure changed in user-action.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Erased {
    /// Applicants whose names were replaced.
    pub applicants: usize,
    /// Actions whose answers were replaced.
    pub answers: usize,
    /// The bank's review comments on the actions, removed (a reason for
    /// sending a document back can quote the applicant).
    pub review_comments: usize,
    /// Messages to the bank (notifyRM) whose text was replaced.
    pub messages: usize,
    /// Attachments removed (their documents are gone from document-service).
    pub attachments: usize,
    /// Idempotency-Keys of the application's end user removed.
    pub idempotency_keys: usize,
}

/// Replaces the personal values of the application of `plan`, removes its
/// attachments and its end user's Idempotency-Keys, and records the
/// erasure by `actor` in its trail once: all in one transaction. A second
/// run changes nothing and answers all zeros.
pub fn tombstone(
    conn: &mut DbConnection,
    keyring: &Keyring,
    plan: &Plan,
    actor: &str,
) -> QueryResult<Erased> {
    let id = plan.application_id.as_str();
    write_transaction(conn, |conn| {
        let mut erased = Erased::default();
        let rows: Vec<ApplicantRow> = applicants::table
            .filter(applicants::application_id.eq(id))
            .select(ApplicantRow::as_select())
            .load(conn)?;
        for row in rows {
            let row = row.opened(keyring)?;
            if row.first_name == ERASED && row.last_name == ERASED {
                continue;
            }
            let (first, last) = ApplicantRow::seal_names(keyring, &row.entity_id, ERASED, ERASED);
            diesel::update(applicants::table.find(&row.entity_id))
                .set((
                    applicants::first_name.eq(first),
                    applicants::last_name.eq(last),
                    applicants::sealed.eq(true),
                ))
                .execute(conn)?;
            erased.applicants += 1;
        }
        let rows: Vec<ActionRow> = user_actions::table
            .filter(user_actions::application_id.eq(id))
            .select(ActionRow::as_select())
            .load(conn)?;
        for row in rows {
            let row = row.opened(keyring)?;
            // An action never answered holds nothing to erase.
            if row.response.is_empty() || row.response == ERASED {
                continue;
            }
            diesel::update(user_actions::table.find(&row.id))
                .set((
                    user_actions::response.eq(ActionRow::seal_response(keyring, &row.id, ERASED)),
                    user_actions::sealed.eq(true),
                ))
                .execute(conn)?;
            erased.answers += 1;
        }
        erased.review_comments = diesel::update(
            user_actions::table
                .filter(user_actions::application_id.eq(id))
                .filter(user_actions::review_comment.is_not_null()),
        )
        .set(user_actions::review_comment.eq(None::<String>))
        .execute(conn)?;
        let requests: Vec<RmRequestRow> = rm_requests::table
            .filter(rm_requests::application_id.eq(id))
            .select(RmRequestRow::as_select())
            .load(conn)?;
        for request in requests {
            let request = request.opened(keyring)?;
            if request.message == ERASED {
                continue;
            }
            let message = RmRequestRow::seal_message(keyring, &request.id, ERASED);
            diesel::update(rm_requests::table.find(&request.id))
                .set(rm_requests::message.eq(message))
                .execute(conn)?;
            erased.messages += 1;
        }
        let actions = user_actions::table
            .filter(user_actions::application_id.eq(id))
            .select(user_actions::id);
        erased.attachments = diesel::delete(
            action_documents::table.filter(action_documents::action_id.eq_any(actions)),
        )
        .execute(conn)?;
        // A stored answer cannot be told apart by application without
        // opening every one, and keys are a day's convenience: all of the
        // end user's go (a retry after the erasure does its work again).
        erased.idempotency_keys = diesel::delete(
            idempotency_keys::table.filter(idempotency_keys::owner_subject.eq(&plan.owner_subject)),
        )
        .execute(conn)?;
        if !is_erased(conn, id)? {
            record(
                conn,
                &[AuditRow::now(id, actor, ERASED_EVENT, id, None, None)],
            )?;
        }
        Ok(erased)
    })
}

/// Up to `limit` applications in one of `statuses`, unchanged since before
/// `before`, and not erased yet: the retention purge's work.
pub fn expired(
    conn: &mut DbConnection,
    statuses: &[&str],
    before: &str,
    limit: i64,
) -> QueryResult<Vec<String>> {
    let erased = audit_events::table
        .filter(audit_events::kind.eq(ERASED_EVENT))
        .select(audit_events::application_id);
    applications::table
        .filter(applications::status.eq_any(statuses))
        .filter(applications::updated_at.lt(before))
        .filter(applications::id.ne_all(erased))
        .order(applications::updated_at)
        .limit(limit)
        .select(applications::id)
        .load(conn)
}
