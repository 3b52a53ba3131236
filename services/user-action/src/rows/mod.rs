//! The rows of the user-action database, and their conversion to the
//! wire types: a module per group of tables, as in `store`.
//!
//! Personal values are sealed at rest (issue 17, finding 5): an
//! applicant's names, an action's answer and its review comment, a
//! document's file name, file info and client id, a message to the bank,
//! and a stored Idempotency-Key answer. Each is bound to its table, column
//! and row (`Keyring::seal_field`), so a value copied to another place
//! does not open. Ids, codes, statuses and times stay plain, as do the
//! audit trail's values (statuses, ids and the consent's acceptance
//! status: no personal data).

mod actions;
mod applications;
mod audit;
mod flow;

pub use actions::{document_owner, ActionRow, DocumentRow};
pub use applications::{ApplicantRow, ApplicationRow};
pub use audit::AuditRow;
pub use flow::{OutboxRow, RmRequestRow};
