//! The chassis every onboarding service runs on.
//!
//! A service crate builds a [`Service`] (its routes, its OpenAPI document and
//! its database) and the chassis serves one or many of them on one port,
//! adding what every service needs once: health, metrics, API docs, request
//! ids, access logs and graceful shutdown.

pub mod auth;
pub mod body;
pub mod client;
pub mod config;
pub mod db;
pub mod error;
pub mod failure;
pub mod files;
mod health;
pub mod keyring;
pub mod limit;
pub mod metrics;
pub mod observe;
pub mod openapi;
pub mod periodic;
pub mod server;
pub mod telemetry;

pub use config::{load_config, ConfigError, Secret, ServerConfig};
pub use db::{Database, DbConnection, Migrations};
pub use error::{FieldError, InputError, ProblemError};
pub use failure::Failure;
pub use keyring::{CryptoError, Keyring};
pub use server::{RunningServer, Service};
