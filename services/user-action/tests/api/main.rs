//! user-action-service over HTTP, with the real party-service and
//! document-service, on SQLite and PostgreSQL.

mod audit;
mod helpers;
mod idempotency;
mod listing;
mod peers;
mod security;
mod status_rules;
mod unavailable;
mod validation;
