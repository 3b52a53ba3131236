//! Shared domain and wire types of the onboarding services.
//!
//! This crate is serde-only on purpose: no web framework and no database, so
//! every service (and every typed client of a service) can depend on it.
//! Values are parsed at the edge into the newtypes of [`text`] and [`ids`], so
//! that a rejected value always names the field it came from.

pub mod applications;
pub mod document;
pub mod erasure;
pub mod field_error;
pub mod flow;
pub mod formats;
pub mod ids;
pub mod party;
pub mod text;

pub use field_error::FieldError;
pub use formats::{DateTimeSeconds, YesNo};
pub use ids::PartyId;
