//! case-service over HTTP: each test starts the real case-service beside a
//! real party-service on a random port with fresh databases, on SQLite and
//! on PostgreSQL.

mod acting;
mod amounts;
mod assignment;
mod at_rest;
mod audit;
mod auth;
mod batch;
mod concurrency;
mod decisions;
mod description;
mod erasure;
mod events;
mod flow;
mod four_eyes;
mod helpers;
mod identification;
mod inbox;
mod input;
mod locks;
mod name_search;
mod narratives;
mod operations;
mod partial;
mod reads;
mod record_ids;
mod records;
mod seed;
mod suppression;
mod validation;
