//! user-action-service over HTTP, with the real party-service and
//! document-service, on SQLite and PostgreSQL.

mod applications;
mod at_rest;
mod audit;
mod bank;
mod decisions;
mod documents;
mod flow;
mod helpers;
mod idempotency;
mod in_doubt;
mod key_lifetimes;
mod listing;
mod peers;
mod retention;
mod security;
mod status_rules;
mod sweep;
mod together;
mod unavailable;
mod validation;
