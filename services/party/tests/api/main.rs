//! party-service over HTTP: each test starts the real service on a random
//! port with a fresh database, on SQLite and on PostgreSQL.

mod at_rest;
mod auth;
mod create;
mod helpers;
mod list;
mod unavailable;
mod update;
mod validation;
