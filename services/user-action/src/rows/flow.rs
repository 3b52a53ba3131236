//! `rm_requests` and `outbox`: what the application's flow to the bank
//! (SPEC §D) keeps until it is delivered.
#![allow(missing_docs)]

use crate::schema::{outbox, rm_requests};
use diesel::prelude::*;
use service_kit::Keyring;

/// An `rm_requests` row: an applicant's notifyRM.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rm_requests, treat_none_as_default_value = false)]
pub struct RmRequestRow {
    pub id: String,
    pub application_id: String,
    pub subject: String,
    /// Always sealed in the table; opened once read.
    pub message: String,
    /// The case it reached, once it has.
    pub case_id: Option<String>,
    pub created_at: String,
}

const MESSAGE: &str = "rm_requests.message";

impl RmRequestRow {
    /// The row as it is stored: its message sealed.
    pub fn sealed(mut self, keyring: &Keyring) -> Self {
        self.message = Self::seal_message(keyring, &self.id, &self.message);
        self
    }

    /// `message` sealed as request `id`'s.
    pub fn seal_message(keyring: &Keyring, id: &str, message: &str) -> String {
        keyring.seal_field(MESSAGE, id, message)
    }

    /// The row as read: its message opened.
    pub fn opened(mut self, keyring: &Keyring) -> QueryResult<Self> {
        self.message = keyring.open_field(MESSAGE, &self.id, &self.message)?;
        Ok(self)
    }
}

/// A new `outbox` row: an event, written in the transaction of the change
/// it records (its `seq` is the database's).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox, treat_none_as_default_value = false)]
pub struct OutboxRow {
    pub id: String,
    pub aggregate_id: String,
    pub kind: String,
    pub payload: String,
    pub request_id: Option<String>,
    pub created_at: String,
}

impl OutboxRow {
    /// Event `kind` about application `application_id`, carrying
    /// `payload`, by the current request.
    pub fn new(application_id: &str, kind: &str, payload: &serde_json::Value) -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            aggregate_id: application_id.to_owned(),
            kind: kind.to_owned(),
            payload: payload.to_string(),
            request_id: service_kit::observe::current_request_id(),
            created_at: service_kit::db::timestamp(chrono::Utc::now()),
        }
    }
}
