//! A `case_narratives` row. The text is sealed with the keyring: a
//! narrative is free text about a person, like `genericInformation`. The
//! seal is bound to the case, the author and the time, so sealed text
//! cannot be moved to another case or passed off as another's.

use super::ecm_time;
use super::stored::Corrupt;
use crate::schema::case_narratives;
use crate::wire::narratives::Narrative;
use diesel::prelude::*;
use service_kit::Keyring;

/// The sealed column.
pub const NARRATIVE: &str = "case_narratives.narrative";

/// A narrative to store, sealed.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_narratives, treat_none_as_default_value = false)]
pub struct NewNarrativeRow {
    case_id: String,
    narrative: String,
    created_at: String,
    created_by: String,
}

/// A stored narrative, as read.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = case_narratives)]
pub struct NarrativeRow {
    /// Its id, in the order narratives were added.
    pub id: i64,
    case_id: String,
    narrative: String,
    created_at: String,
    created_by: String,
}

/// The associated data of a narrative's seal: the case (its length first,
/// so that no two cases' ids and times run together), the time, the author.
fn context(case_id: &str, created_at: &str, created_by: &str) -> String {
    format!(
        "{NARRATIVE}:{}:{case_id}:{created_at}:{created_by}",
        case_id.len()
    )
}

/// A narrative's stored text, sealed again under the active key.
pub fn reseal(
    keyring: &Keyring,
    case_id: &str,
    created_at: &str,
    created_by: &str,
    stored: &str,
) -> Result<String, Corrupt> {
    keyring
        .reseal(&context(case_id, created_at, created_by), stored)
        .map_err(|e| Corrupt(e.to_string()))
}

impl NewNarrativeRow {
    /// `text` added to `case_id` by `created_by` at `created_at`, sealed.
    pub fn sealed(
        keyring: &Keyring,
        case_id: &str,
        text: &str,
        created_at: &str,
        created_by: &str,
    ) -> Self {
        Self {
            case_id: case_id.to_owned(),
            narrative: keyring.seal(&context(case_id, created_at, created_by), text),
            created_at: created_at.to_owned(),
            created_by: created_by.to_owned(),
        }
    }
}

impl NarrativeRow {
    /// The narrative, opened.
    pub fn open(self, keyring: &Keyring) -> Result<Narrative, Corrupt> {
        let context = context(&self.case_id, &self.created_at, &self.created_by);
        let narrative = keyring
            .open(&context, &self.narrative)
            .map_err(|e| Corrupt(e.to_string()))?;
        Ok(Narrative {
            narrative_id: self.id,
            narrative,
            created_on: ecm_time(&self.created_at),
            created_by: self.created_by,
        })
    }
}
