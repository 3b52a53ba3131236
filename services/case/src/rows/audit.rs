//! The rows of the audit trail (`case_audit`). The values of the changes
//! that carry personal data (a customer, a record, an event or a narrative,
//! whole) are sealed with the keyring, each bound to its row's case,
//! action, ids, time and actor, so a sealed value copied into another row
//! or column does not open. Which actions seal their values is the store's
//! to say (`store::audit::SEALED`): the other values (a
//! description, a status, a lock's expiry, a decision code) are stored as
//! they are, and a description may well start like a sealed value.
//!
//! The id of the business record a row names (an account id is personal
//! data) is sealed, bound to the row's other keys, with its blind index
//! beside it (`record_key`, as the record's own row has); the values are
//! bound to the plaintext id, so opening a row opens its id first. A
//! narrative's id, our own sequence number, is stored as it is.

use super::stored::Corrupt;
use crate::schema::case_audit;
use crate::wire::audit::AuditEvent;
use crate::wire::records::RecordKind;
use diesel::prelude::*;
use service_kit::Keyring;

/// The sealed column of the value before a change.
pub const OLD_VALUE: &str = "case_audit.old_value";
/// The sealed column of the value after a change.
pub const NEW_VALUE: &str = "case_audit.new_value";
/// The sealed column of the business record a change concerns.
pub const RECORD_ID: &str = "case_audit.record_id";

/// Whether the rows of `action` name a business record, whose id they hold
/// sealed: `accountAdded`, `transactionRemoved`, ...
pub fn seals_record_id(action: &str) -> bool {
    RecordKind::ALL.iter().any(|kind| {
        action
            .strip_prefix(kind.as_str())
            .is_some_and(|rest| rest == "Added" || rest == "Removed")
    })
}

/// A `case_audit` row as read.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = case_audit)]
pub struct AuditRow {
    /// Its sequence number.
    pub id: i64,
    /// The case.
    pub case_id: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who (the token's subject).
    pub actor: String,
    /// What: one of `store::audit::Action`'s names.
    pub action: String,
    /// The customer concerned.
    pub customer_id: Option<String>,
    /// The status before.
    pub from_status: Option<String>,
    /// The status after.
    pub to_status: Option<String>,
    /// The record (account, external entity, transaction), sealed, or the
    /// narrative concerned.
    pub record_id: Option<String>,
    /// The event concerned.
    pub event_code: Option<String>,
    /// The value before: a description, a lock's expiry, a decision code;
    /// sealed, a removed customer's or record's JSON.
    pub old_value: Option<String>,
    /// The value after: a description, a lock's expiry, a decision code;
    /// sealed, an added customer's, record's or event's JSON, or a
    /// narrative's text.
    pub new_value: Option<String>,
}

/// A `case_audit` row to write.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_audit, treat_none_as_default_value = false)]
pub struct NewAudit {
    /// The case.
    pub case_id: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: &'static str,
    /// The customer concerned.
    pub customer_id: Option<String>,
    /// The status before.
    pub from_status: Option<String>,
    /// The status after.
    pub to_status: Option<String>,
    /// The record (account, external entity, transaction) or the narrative
    /// concerned: plaintext until [`NewAudit::sealed`] seals a record's.
    pub record_id: Option<String>,
    /// The blind index of a record's id (see `rows::records::record_key`).
    pub record_key: Option<String>,
    /// The event concerned.
    pub event_code: Option<String>,
    /// The value before, as stored (see [`AuditRow::old_value`]; sealed by
    /// [`NewAudit::sealed`]).
    pub old_value: Option<String>,
    /// The value after, as stored (see [`AuditRow::new_value`]; sealed by
    /// [`NewAudit::sealed`]).
    pub new_value: Option<String>,
}

/// What a sealed value of a row is bound to: every key the row has.
struct Binding<'a> {
    case_id: &'a str,
    action: &'a str,
    ids: [Option<&'a str>; 3],
    at: &'a str,
    actor: &'a str,
}

impl Binding<'_> {
    /// The associated data of `column`'s seal. Ids go with their length,
    /// actions hold no `:` and times have one fixed form, so no two rows'
    /// parts run together; the actor, any text, comes last.
    fn context(&self, column: &str) -> String {
        let ids: String = self
            .ids
            .iter()
            .map(|id| match id {
                Some(id) => format!(":{}:{id}", id.len()),
                None => ":-".to_owned(),
            })
            .collect();
        format!(
            "{column}:{}:{}:{}{ids}:{}:{}",
            self.case_id.len(),
            self.case_id,
            self.action,
            self.at,
            self.actor
        )
    }
}

/// The [`Binding`] of a row, to write ([`NewAudit`]) or as read
/// ([`AuditRow`]): both name their keys alike. The record id is given
/// apart, in plaintext: the values are bound to it, and the sealed id to
/// the row's other keys (`None`).
macro_rules! binding_of {
    ($row:expr, $record_id:expr) => {
        Binding {
            case_id: &$row.case_id,
            action: &$row.action,
            ids: [
                $row.customer_id.as_deref(),
                $record_id,
                $row.event_code.as_deref(),
            ],
            at: &$row.at,
            actor: &$row.actor,
        }
    };
}

impl NewAudit {
    /// The row with `old` and `new` as its values sealed, and a business
    /// record's id sealed with its blind index beside it: for the changes
    /// whose values carry personal data.
    pub fn sealed(mut self, keyring: &Keyring, old: Option<&str>, new: Option<&str>) -> Self {
        let binding = binding_of!(self, self.record_id.as_deref());
        let old = old.map(|v| keyring.seal(&binding.context(OLD_VALUE), v));
        let new = new.map(|v| keyring.seal(&binding.context(NEW_VALUE), v));
        self.old_value = old;
        self.new_value = new;
        if seals_record_id(self.action) {
            if let Some(id) = self.record_id.take() {
                self.record_key = Some(super::records::record_key(keyring, &id));
                self.record_id =
                    Some(keyring.seal(&binding_of!(self, None).context(RECORD_ID), &id));
            }
        }
        self
    }
}

impl AuditRow {
    /// The row's record id, opened where sealed.
    pub fn opened_record_id(&self, keyring: &Keyring) -> Result<Option<String>, Corrupt> {
        if !seals_record_id(&self.action) {
            return Ok(self.record_id.clone());
        }
        self.record_id
            .as_deref()
            .map(|stored| {
                keyring
                    .open(&binding_of!(self, None).context(RECORD_ID), stored)
                    .map_err(|e| Corrupt(e.to_string()))
            })
            .transpose()
    }

    /// `record_id` (plaintext, written before ids were sealed) as this
    /// row stores it: sealed, and its blind index.
    pub fn sealed_record_id(&self, keyring: &Keyring, record_id: &str) -> (String, String) {
        (
            keyring.seal(&binding_of!(self, None).context(RECORD_ID), record_id),
            super::records::record_key(keyring, record_id),
        )
    }

    /// The stored `column` ([`OLD_VALUE`] or [`NEW_VALUE`]) of this row,
    /// sealed again under the active key.
    pub fn reseal(&self, keyring: &Keyring, column: &str, stored: &str) -> Result<String, Corrupt> {
        let record_id = self.opened_record_id(keyring)?;
        keyring
            .reseal(
                &binding_of!(self, record_id.as_deref()).context(column),
                stored,
            )
            .map_err(|e| Corrupt(e.to_string()))
    }

    /// `plaintext` sealed as this row's `column` ([`OLD_VALUE`] or
    /// [`NEW_VALUE`]): an erased value's tombstone.
    pub fn seal(
        &self,
        keyring: &Keyring,
        column: &str,
        plaintext: &str,
    ) -> Result<String, Corrupt> {
        let record_id = self.opened_record_id(keyring)?;
        Ok(keyring.seal(
            &binding_of!(self, record_id.as_deref()).context(column),
            plaintext,
        ))
    }

    /// The change as the audit trail shows it, its record id opened, and
    /// its values opened when `sealed` (its action seals them).
    pub fn open(self, keyring: &Keyring, sealed: bool) -> Result<AuditEvent, Corrupt> {
        let record_id = self.opened_record_id(keyring)?;
        let binding = binding_of!(self, record_id.as_deref());
        let open = |column: &str, value: Option<&String>| match value {
            Some(value) if sealed => keyring
                .open(&binding.context(column), value)
                .map(Some)
                .map_err(|e| Corrupt(e.to_string())),
            value => Ok(value.cloned()),
        };
        let old_value = open(OLD_VALUE, self.old_value.as_ref())?;
        let new_value = open(NEW_VALUE, self.new_value.as_ref())?;
        Ok(AuditEvent {
            event_id: self.id,
            at: self.at,
            actor: self.actor,
            action: self.action,
            customer_id: self.customer_id,
            from_status: self.from_status,
            to_status: self.to_status,
            record_id,
            event_code: self.event_code,
            old_value,
            new_value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use service_kit::Secret;

    fn keyring() -> Keyring {
        let key = format!("a:{}", "01".repeat(32));
        Keyring::parse(&Secret::new(key), &Secret::new("11".repeat(32))).expect("valid keys")
    }

    fn new_row(case_id: &str, record_id: &str) -> NewAudit {
        NewAudit {
            case_id: case_id.to_owned(),
            at: "2026-11-29T10:00:00.000000Z".to_owned(),
            actor: "analyst-7".to_owned(),
            action: "accountRemoved",
            customer_id: None,
            from_status: None,
            to_status: None,
            record_id: Some(record_id.to_owned()),
            record_key: None,
            event_code: None,
            old_value: None,
            new_value: None,
        }
    }

    fn as_read(row: NewAudit) -> AuditRow {
        AuditRow {
            id: 1,
            case_id: row.case_id,
            at: row.at,
            actor: row.actor,
            action: row.action.to_owned(),
            customer_id: row.customer_id,
            from_status: row.from_status,
            to_status: row.to_status,
            record_id: row.record_id,
            event_code: row.event_code,
            old_value: row.old_value,
            new_value: row.new_value,
        }
    }

    #[test]
    fn values_open_only_in_their_own_row_and_column() {
        let keyring = keyring();
        let row = new_row("CA1", "A1").sealed(&keyring, Some(r#"{"taxId":"TX7"}"#), None);
        let sealed = row.old_value.clone().expect("sealed");
        assert!(!sealed.contains("TX7"), "{sealed}");
        let read = as_read(row).open(&keyring, true).expect("opens");
        assert_eq!(read.record_id.as_deref(), Some("A1"));
        assert_eq!(read.old_value.as_deref(), Some(r#"{"taxId":"TX7"}"#));
        assert_eq!(read.new_value, None);

        // Rows with only their record ids sealed.
        let bare = |case_id: &str, record_id: &str| {
            as_read(new_row(case_id, record_id).sealed(&keyring, None, None))
        };
        let mut elsewhere = bare("CA1", "A2");
        elsewhere.old_value = Some(sealed.clone());
        assert!(elsewhere.open(&keyring, true).is_err(), "another record");
        let mut other_column = bare("CA1", "A1");
        other_column.new_value = Some(sealed.clone());
        assert!(other_column.open(&keyring, true).is_err(), "another column");
        let mut unsealed = bare("CA1", "A1");
        unsealed.old_value = Some(sealed.clone());
        let shown = unsealed.open(&keyring, false).expect("as stored");
        assert_eq!(shown.old_value, Some(sealed), "not opened");
    }

    #[test]
    fn only_business_records_seal_their_ids() {
        assert!(seals_record_id("accountRemoved") && seals_record_id("externalEntityAdded"));
        assert!(!seals_record_id("narrativeAdded") && !seals_record_id("account"));
    }

    #[test]
    fn the_record_id_is_sealed_to_its_row() {
        let keyring = keyring();
        let row = as_read(new_row("CA1", "ACC-PRIVATE-7731").sealed(&keyring, None, None));
        let stored = row.record_id.clone().expect("sealed");
        assert!(!stored.contains("ACC-PRIVATE"), "{stored}");
        assert_eq!(
            row.opened_record_id(&keyring).expect("opens").as_deref(),
            Some("ACC-PRIVATE-7731")
        );
        let mut moved = as_read(new_row("CA2", "A1"));
        moved.record_id = Some(stored);
        assert!(moved.opened_record_id(&keyring).is_err(), "another case");
    }
}
