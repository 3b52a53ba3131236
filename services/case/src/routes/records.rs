//! The business records of cases: `addAccount` and `removeAccount` (ECM
//! guide 4.11, 4.12), `addExternalEntity` and `removeExternalEntity` (4.13,
//! 4.14), `addTransaction` and `removeTransaction` (4.15, 4.16). One
//! generic add and one generic remove serve the three kinds; each kind has
//! its own words.

use super::body::{invalid, read_body};
use super::plan::{self, CasePlan, Part, Pending};
use super::AppState;
use crate::caller::{Access, Caller};
use crate::error::EcmError;
use crate::store::audit::Change;
use crate::store::cases;
use crate::store::customers::AddOutcome;
use crate::store::records;
use crate::wire::batch::{
    parts_response, AccountsResponse, ExternalEntitiesResponse, RolledUp, TransactionsResponse,
};
use crate::wire::envelope::{Envelope, Messages, Outcome, NO_SUCH_CASE};
use crate::wire::records::{
    Account, AccountRef, ExternalEntity, ExternalEntityRef, Record, RecordKind, RecordRef,
    Transaction, TransactionRef,
};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashSet;

/// The vendor's words for one kind of record.
struct Words {
    /// The roll-up of an addition.
    addition: Messages,
    /// The roll-up of a removal.
    removal: Messages,
    /// A record added.
    added: &'static str,
    /// A record already on the case.
    already_exists: &'static str,
    /// A `businessAdd: "Y"` record the business records do not hold.
    not_in_business: &'static str,
    /// A record removed.
    removed: &'static str,
    /// A record that is not on the case.
    not_in_case: &'static str,
}

/// The words of `kind`, verbatim from the vendor's family.
fn words(kind: RecordKind) -> &'static Words {
    match kind {
        RecordKind::Account => &Words {
            addition: Messages {
                success: "Accounts addition was successful.",
                partial: "Accounts addition was partially successful.",
                failed: "Accounts addition failed.",
            },
            removal: Messages {
                success: "Accounts removal was successful.",
                partial: "Accounts removal was partially successful.",
                failed: "Accounts removal failed.",
            },
            added: "Account added successfully.",
            already_exists: "Account already exists.",
            not_in_business: "Account does not exist in business.",
            removed: "Account removed successfully.",
            not_in_case: "Account does not exist in case.",
        },
        RecordKind::ExternalEntity => &Words {
            addition: Messages {
                success: "External Entities addition was successful.",
                partial: "External Entities addition was partially successful.",
                failed: "External Entities addition failed.",
            },
            removal: Messages {
                success: "External Entities removal was successful.",
                partial: "External Entities removal was partially successful.",
                failed: "External Entities removal failed.",
            },
            added: "External Entity added successfully.",
            already_exists: "External Entity already exists.",
            not_in_business: "External Entity does not exist in business.",
            removed: "External Entity removed successfully.",
            not_in_case: "External Entity does not exist in case.",
        },
        RecordKind::Transaction => &Words {
            addition: Messages {
                success: "Transactions addition was successful.",
                partial: "Transactions addition was partially successful.",
                failed: "Transactions addition failed.",
            },
            removal: Messages {
                success: "Transactions removal was successful.",
                partial: "Transactions removal was partially successful.",
                failed: "Transactions removal failed.",
            },
            added: "Transaction added successfully.",
            already_exists: "Transaction already exists.",
            not_in_business: "Transaction does not exist in business.",
            removed: "Transaction removed successfully.",
            not_in_case: "Transaction does not exist in case.",
        },
    }
}

/// The key of a case item's list of records of `kind`, and of a record's
/// id.
const fn keys(kind: RecordKind) -> (&'static str, &'static str) {
    match kind {
        RecordKind::Account => ("accounts", "accountId"),
        RecordKind::ExternalEntity => ("externalEntities", "externalEntity"),
        RecordKind::Transaction => ("transactions", "transactionReferenceId"),
    }
}

/// A record of an add is a part of its case.
macro_rules! record_parts {
    ($($record:ty),*) => {$(
        impl Part for $record {
            const KEY: &'static str = keys(<$record as Record>::KIND).0;
            const ID: &'static str = keys(<$record as Record>::KIND).1;

            fn id(&self) -> &str {
                Record::id(self)
            }

            fn refusal(&self) -> Option<String> {
                Record::violation(self).map(|(field, message)| invalid(field, &message))
            }
        }
    )*};
}
record_parts!(Account, ExternalEntity, Transaction);

/// A reference of a removal is a part of its case.
macro_rules! ref_parts {
    ($($reference:ty),*) => {$(
        impl Part for $reference {
            const KEY: &'static str = keys(<$reference as RecordRef>::KIND).0;
            const ID: &'static str = keys(<$reference as RecordRef>::KIND).1;

            fn id(&self) -> &str {
                RecordRef::id(self)
            }
        }
    )*};
}
ref_parts!(AccountRef, ExternalEntityRef, TransactionRef);

/// Adds records of kind `R` to cases: each on its own, all or nothing.
async fn add<R, A>(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError>
where
    R: Record + Part + Send + Sync + 'static,
    A: From<RolledUp> + Serialize,
{
    caller.require(Access::Write)?;
    let words = words(R::KIND);
    let body = read_body(&req, payload, &state).await?;
    let mut plans = plan::plan::<R>(&body, state.max_customers)?;

    // One read for the request: which cases exist, which records are on
    // them, and the business records asked for.
    let ids = plan::case_ids(&plans);
    let pairs: Vec<(String, String)> = plans
        .iter()
        .flat_map(|p| p.ready())
        .map(|(case, r)| (case.to_owned(), Record::id(r).to_owned()))
        .collect();
    let mut wanted: Vec<String> = plans
        .iter()
        .flat_map(|p| p.ready())
        .filter(|(_, r)| r.wants_business())
        .map(|(_, r)| Record::id(r).to_owned())
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let keyring = state.keyring.clone();
    let (found, existing, business) = state
        .db
        .run(move |conn| {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let pairs: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
            Ok::<_, EcmError>((
                cases::find_many(conn, &ids)?,
                records::existing(conn, &keyring, R::KIND, &pairs)?,
                records::business::<R>(conn, &keyring, &wanted)?,
            ))
        })
        .await?;
    for plan in &mut plans {
        plan.settle_case(&found);
        settle_existing(plan, &existing, words);
        for (_, pending) in &mut plan.parts {
            let Pending::Ready(record) = pending else {
                continue;
            };
            if !record.wants_business() {
                continue;
            }
            match business.get(Record::id(record)) {
                Some(stored) => *record = filled(record, stored),
                None => *pending = Pending::Done(Outcome::refused(words.not_in_business)),
            }
        }
    }

    let change = Change::now(&caller.subject);
    let keyring = state.keyring.clone();
    let plans = state
        .db
        .run(move |conn| {
            plan::apply_batched(
                &mut plans,
                conn,
                "addRecord",
                |case_id, group| records::Rows::of(&keyring, case_id, group, &change),
                |conn, case_id, rows| {
                    Ok(match records::add_all(conn, case_id, &rows, &change)? {
                        Ok(()) => Outcome::done(words.added),
                        Err(locked) => Outcome::locked(&locked.holder),
                    })
                },
                |conn, case_id, record| {
                    Ok(
                        match records::add(conn, &keyring, case_id, record, &change)? {
                            AddOutcome::Added => Outcome::done(words.added),
                            AddOutcome::AlreadyExists => Outcome::refused(words.already_exists),
                            AddOutcome::NoSuchCase => Outcome::refused(NO_SUCH_CASE),
                            AddOutcome::Locked(locked) => Outcome::locked(&locked.holder),
                        },
                    )
                },
            );
            Ok::<_, EcmError>(plans)
        })
        .await?;
    let (status, answer): (_, A) = parts_response(
        words.addition,
        plans.into_iter().map(CasePlan::into_result).collect(),
    );
    tracing::info!(kind = R::KIND.as_str(), %status, "records added");
    Ok(HttpResponse::build(status).json(answer))
}

/// Settles the records already on their case.
fn settle_existing<R: Record>(
    plan: &mut CasePlan<R>,
    existing: &HashSet<(String, String)>,
    words: &Words,
) {
    for (_, pending) in &mut plan.parts {
        if let Pending::Ready(record) = pending {
            if existing.contains(&(plan.case_id.clone(), record.id().to_owned())) {
                *pending = Pending::Done(Outcome::refused(words.already_exists));
            }
        }
    }
}

/// The business record `stored`, with the fields `sent` carries kept as
/// sent: the request adds to what the bank holds, and can correct it.
fn filled<R: Record>(sent: &R, stored: &R) -> R {
    let (Ok(Value::Object(sent_fields)), Ok(Value::Object(mut fields))) =
        (serde_json::to_value(sent), serde_json::to_value(stored))
    else {
        return sent.clone();
    };
    for (name, value) in sent_fields {
        if !value.is_null() {
            fields.insert(name, value);
        }
    }
    // Both sides are valid records of the same type, so their union is
    // one; should it somehow not read back, the request stands as sent.
    serde_json::from_value(Value::Object(fields)).unwrap_or_else(|_| sent.clone())
}

/// Removes records of the kind `T` refers to from cases, each in its own
/// transaction.
async fn remove<T, A>(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError>
where
    T: RecordRef + Part + Send + Sync + 'static,
    A: From<RolledUp> + Serialize,
{
    caller.require(Access::Write)?;
    let words = words(T::KIND);
    let body = read_body(&req, payload, &state).await?;
    let plans = plan::plan::<T>(&body, state.max_customers)?;
    let change = Change::now(&caller.subject);
    let keyring = state.keyring.clone();
    let plans = plan::settle_each(
        &state,
        plans,
        "removeRecord",
        move |conn, case_id, reference| {
            let removed = records::remove(
                conn,
                &keyring,
                case_id,
                T::KIND,
                RecordRef::id(reference),
                reference.type_code(),
                &change,
            )?;
            Ok(match removed {
                Ok(true) => Outcome::done(words.removed),
                Ok(false) => Outcome::refused(words.not_in_case),
                Err(locked) => Outcome::locked(&locked.holder),
            })
        },
    )
    .await?;
    let (status, answer): (_, A) = parts_response(
        words.removal,
        plans.into_iter().map(CasePlan::into_result).collect(),
    );
    tracing::info!(kind = T::KIND.as_str(), %status, "records removed");
    Ok(HttpResponse::build(status).json(answer))
}

/// Add accounts to cases (ECM guide 4.11).
///
/// An array of `{caseId, accounts}`. Each account is added on its own, all
/// or nothing; with `businessAdd: "Y"` it is taken from the bank's business
/// records (the fields sent are kept as sent).
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/addAccount", tag = "ECM",
    request_body(content = Vec<crate::wire::batch::CaseAccountsInput>, description = "The cases and the accounts to add to each"),
    responses(
        (status = 200, description = "Every account added (`SUCCESS`) or some (`PARTIALSUCCESS`)", body = AccountsResponse),
        (status = 400, description = "The body is not the documented shape, or an item has no caseId; with `RESULTARRAY` when every part failed on its input", body = Envelope),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn add_account(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    add::<Account, AccountsResponse>(req, payload, caller, state).await
}

/// Remove accounts from cases (ECM guide 4.12).
///
/// An array of `{caseId, accounts: [{accountId}]}`; the audit trail keeps
/// the record of each removal.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/removeAccount", tag = "ECM",
    request_body(content = Vec<crate::wire::batch::CaseAccountRefsInput>, description = "The cases and the accounts to remove from each"),
    responses(
        (status = 200, description = "Every account removed (`SUCCESS`) or some (`PARTIALSUCCESS`)", body = AccountsResponse),
        (status = 400, description = "The body is not the documented shape, or an item has no caseId; with `RESULTARRAY` when every part failed on its input", body = Envelope),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn remove_account(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    remove::<AccountRef, AccountsResponse>(req, payload, caller, state).await
}

/// Add external entities to cases (ECM guide 4.13).
///
/// An array of `{caseId, externalEntities}`. Each entity is added on its
/// own, all or nothing; with `businessAdd: "Y"` it is taken from the bank's
/// business records.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/addExternalEntity", tag = "ECM",
    request_body(content = Vec<crate::wire::batch::CaseExternalEntitiesInput>, description = "The cases and the external entities to add to each"),
    responses(
        (status = 200, description = "Every entity added (`SUCCESS`) or some (`PARTIALSUCCESS`)", body = ExternalEntitiesResponse),
        (status = 400, description = "The body is not the documented shape, or an item has no caseId; with `RESULTARRAY` when every part failed on its input", body = Envelope),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn add_external_entity(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    add::<ExternalEntity, ExternalEntitiesResponse>(req, payload, caller, state).await
}

/// Remove external entities from cases (ECM guide 4.14).
///
/// An array of `{caseId, externalEntities: [{externalEntity,
/// externalEntityTypeCode}]}`; a type code sent must match the entity's.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/removeExternalEntity", tag = "ECM",
    request_body(content = Vec<crate::wire::batch::CaseExternalEntityRefsInput>, description = "The cases and the external entities to remove from each"),
    responses(
        (status = 200, description = "Every entity removed (`SUCCESS`) or some (`PARTIALSUCCESS`)", body = ExternalEntitiesResponse),
        (status = 400, description = "The body is not the documented shape, or an item has no caseId; with `RESULTARRAY` when every part failed on its input", body = Envelope),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn remove_external_entity(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    remove::<ExternalEntityRef, ExternalEntitiesResponse>(req, payload, caller, state).await
}

/// Add transactions to cases (ECM guide 4.15).
///
/// An array of `{caseId, transactions}`. Each transaction is added on its
/// own, all or nothing; a field sent for a type it does not apply to is
/// refused. With `businessAdd: "Y"` it is taken from the bank's business
/// records.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/addTransaction", tag = "ECM",
    request_body(content = Vec<crate::wire::batch::CaseTransactionsInput>, description = "The cases and the transactions to add to each"),
    responses(
        (status = 200, description = "Every transaction added (`SUCCESS`) or some (`PARTIALSUCCESS`)", body = TransactionsResponse),
        (status = 400, description = "The body is not the documented shape, or an item has no caseId; with `RESULTARRAY` when every part failed on its input", body = Envelope),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn add_transaction(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    add::<Transaction, TransactionsResponse>(req, payload, caller, state).await
}

/// Remove transactions from cases (ECM guide 4.16).
///
/// An array of `{caseId, transactions: [{transactionReferenceId,
/// transactionTypeCode}]}`; a type code sent must match the transaction's.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/removeTransaction", tag = "ECM",
    request_body(content = Vec<crate::wire::batch::CaseTransactionRefsInput>, description = "The cases and the transactions to remove from each"),
    responses(
        (status = 200, description = "Every transaction removed (`SUCCESS`) or some (`PARTIALSUCCESS`)", body = TransactionsResponse),
        (status = 400, description = "The body is not the documented shape, or an item has no caseId; with `RESULTARRAY` when every part failed on its input", body = Envelope),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn remove_transaction(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    remove::<TransactionRef, TransactionsResponse>(req, payload, caller, state).await
}
