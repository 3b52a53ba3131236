//! The rows of the user-action database, and their conversion to the
//! wire types: a module per group of tables, as in `store`.

mod actions;
mod applications;
mod audit;
mod flow;
mod sealing;

pub use actions::{document_owner, ActionRow, DocumentRow};
pub use applications::{ApplicantRow, ApplicationRow};
pub use audit::AuditRow;
pub use flow::{OutboxRow, RmRequestRow};
pub use sealing::{open, seal};
