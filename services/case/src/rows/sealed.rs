//! Sealing one row's personal values (issue 17, finding 5): each value is
//! bound to its table, column and row as associated data
//! (`case_customers.last_name:<row>`), so a sealed value copied to another
//! place does not open. A row is named by its key, each text part but the
//! last led by its length, so no two keys name the same row.

use super::stored::{get, put, Corrupt, Stored};
use crate::wire::values::Number;
use service_kit::Keyring;

/// Seals and opens the values of one row.
pub struct Sealed<'a> {
    keyring: &'a Keyring,
    row: String,
}

impl<'a> Sealed<'a> {
    /// The row of customer `customer_id` on `case_id` (its own fields).
    pub fn customer(keyring: &'a Keyring, case_id: &str, customer_id: &str) -> Self {
        Self {
            keyring,
            row: customer_row(case_id, customer_id),
        }
    }

    /// The row of the entry at `position` in one of a customer's lists.
    pub fn entry(keyring: &'a Keyring, case_id: &str, customer_id: &str, position: i32) -> Self {
        Self {
            keyring,
            row: entry_row(case_id, customer_id, position),
        }
    }

    /// The row of an event's entity at `position`.
    pub fn entity(keyring: &'a Keyring, event_code: &str, position: i32) -> Self {
        Self {
            keyring,
            row: entity_row(event_code, position),
        }
    }

    /// The associated data of `column` (`table.column`) of this row.
    pub fn context(&self, column: &str) -> String {
        format!("{column}:{}", self.row)
    }

    /// `plaintext`, sealed as `column` of this row.
    pub fn seal(&self, column: &str, plaintext: &str) -> String {
        self.keyring.seal(&self.context(column), plaintext)
    }

    /// What [`Sealed::seal`] made for `column` of this row, opened.
    pub fn open(&self, column: &str, sealed: &str) -> Result<String, Corrupt> {
        self.keyring
            .open(&self.context(column), sealed)
            .map_err(|e| Corrupt(e.to_string()))
    }

    /// An optional value's stored text, sealed.
    pub fn put<T: Stored>(&self, column: &str, value: &Option<T>) -> Option<String> {
        put(value).map(|text| self.seal(column, &text))
    }

    /// An optional sealed value, opened and parsed.
    pub fn get<T: Stored>(
        &self,
        column: &str,
        stored: Option<String>,
    ) -> Result<Option<T>, Corrupt> {
        get(stored.map(|s| self.open(column, &s)).transpose()?)
    }

    /// An optional sealed text, opened.
    pub fn get_text(
        &self,
        column: &str,
        stored: Option<String>,
    ) -> Result<Option<String>, Corrupt> {
        stored.map(|s| self.open(column, &s)).transpose()
    }

    /// An optional amount, sealed as its exact decimal text (its scale
    /// kept: `10.50` stays `10.50`).
    pub fn put_number(&self, column: &str, value: Option<Number>) -> Option<String> {
        value.map(|n| self.seal(column, &n.to_string()))
    }

    /// An optional sealed amount, opened and read back exactly.
    pub fn get_number(
        &self,
        column: &str,
        stored: Option<String>,
    ) -> Result<Option<Number>, Corrupt> {
        self.get_text(column, stored)?
            .map(|text| {
                Number::read(&text)
                    .map(Number::new)
                    .map_err(|e| Corrupt(format!("a sealed amount: {e}")))
            })
            .transpose()
    }
}

/// The row name of a customer on a case. Ids are at most 64 characters of
/// text; the length makes the pair unambiguous whatever they contain.
fn customer_row(case_id: &str, customer_id: &str) -> String {
    format!("{}:{case_id}:{customer_id}", case_id.len())
}

/// The row name of a list entry: its customer's, then its position.
fn entry_row(case_id: &str, customer_id: &str, position: i32) -> String {
    format!(
        "{}:{case_id}:{}:{customer_id}:{position}",
        case_id.len(),
        customer_id.len()
    )
}

/// The row name of an event's entity.
fn entity_row(event_code: &str, position: i32) -> String {
    format!("{}:{event_code}:{position}", event_code.len())
}

/// A stored `column` of a row named by `sealed`, sealed again under the
/// active key (legacy plaintext as it is).
pub fn reseal(sealed: &Sealed<'_>, column: &str, stored: &str) -> Result<String, Corrupt> {
    sealed
        .keyring
        .reseal(&sealed.context(column), stored)
        .map_err(|e| Corrupt(e.to_string()))
}
