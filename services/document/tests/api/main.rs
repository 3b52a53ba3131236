//! document-service over HTTP: each test starts the real service with a
//! fresh database (SQLite and PostgreSQL) and a fresh store (a local
//! directory and a real S3-compatible server).

mod at_rest;
mod concurrency;
mod failure;
mod helpers;
mod integrity;
mod ownership;
mod round_trip;
mod rules;
mod sealed_names;
