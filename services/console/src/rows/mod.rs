//! The console database's rows.

pub mod sessions;
