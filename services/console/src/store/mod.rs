//! The console's queries, one function per unit of work.

pub mod logins;
pub mod sessions;
