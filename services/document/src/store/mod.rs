//! Document metadata in the service's database. Every function is one
//! statement, so none holds a transaction open across content I/O.

pub mod documents;
pub mod sealing;
