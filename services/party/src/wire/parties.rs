//! The bodies and query of the party operations. A party's body is the
//! domain's own type, shared with the party client, and re-exported here so
//! that every wire type of the API is found in one place.

use serde::Deserialize;

pub use domain::party::{Party, PartyInput, PartyPage};

/// The query of a list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct ListQuery {
    /// Parties with this last name (case-insensitive).
    pub last_name: Option<String>,
    /// Parties born on this date, `YYYY-MM-DD`.
    #[param(format = Date)]
    pub date_of_birth: Option<String>,
    /// Parties with this email contact point (case-insensitive).
    pub email: Option<String>,
    /// Parties with this tax id.
    pub tax_id: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `nextCursor` of the previous page: a party id.
    #[param(pattern = "^[1-9][0-9]{9}$")]
    pub cursor: Option<String>,
}
