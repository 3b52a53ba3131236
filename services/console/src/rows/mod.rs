//! The console database's rows.

pub mod logins;
pub mod sessions;
