//! Event suppression (ECM guide 4.5): the vendor's `getSuppressionRulesList`
//! with its field names, and our operations that make and decide rules.
//!
//! The guide prints the request (optional filters) and the rule's fields,
//! not the envelope: by analogy with the real-time family it answers
//! `{MESSAGE, STATUS, RESULTARRAY}`, the rules in `RESULTARRAY`. Dates are
//! written `DD/MM/YYYY`, as the filters are.

use super::envelope::Status;
use super::values::{Id, LongText, ShortText};
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use utoipa::ToSchema;

/// A date written `DD/MM/YYYY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct VendorDate(pub NaiveDate);

impl VendorDate {
    /// Parses `DD/MM/YYYY`.
    pub fn parse(s: &str) -> Result<Self, String> {
        NaiveDate::parse_from_str(s, "%d/%m/%Y")
            .ok()
            .filter(|_| s.len() == 10)
            .map(Self)
            .ok_or_else(|| "must be a real date written DD/MM/YYYY".to_owned())
    }
}

impl fmt::Display for VendorDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%d/%m/%Y"))
    }
}

impl Serialize for VendorDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for VendorDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// The filters of `getSuppressionRulesList`, all optional, and our page.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RulesFilter {
    /// Only rules of this business domain.
    #[serde(default)]
    pub domain: Option<ShortText>,
    /// Only rules of these jurisdictions: a comma-separated list (`AMEA,IND`).
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 255, example = "AMEA,IND")]
    pub jurisdiction: Option<LongText>,
    /// Only rules created on or after this day, `DD/MM/YYYY`.
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{2}/[0-9]{2}/[0-9]{4}$", example = "03/05/2022")]
    pub from_date: Option<VendorDate>,
    /// Only rules created on or before this day, `DD/MM/YYYY`.
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{2}/[0-9]{2}/[0-9]{4}$", example = "07/05/2022")]
    pub to_date: Option<VendorDate>,
    /// Ours: page size, 1 to 100 (default 100).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// Ours: the `nextCursor` of the previous page (a `supSeqId`).
    #[serde(default)]
    pub cursor: Option<i64>,
}

/// A suppression rule, with the vendor's field names.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// Its code: `SUP` and its sequence id.
    #[schema(example = "SUP1")]
    pub sup_code: String,
    /// Its sequence id.
    pub sup_seq_id: i64,
    /// Who created it.
    pub sup_create_id: String,
    /// When it was created, `DD/MM/YYYY`.
    #[schema(value_type = String, example = "03/05/2022")]
    pub sup_create_date: VendorDate,
    /// When it took effect (its approval), `DD/MM/YYYY`; `null` until then.
    #[schema(value_type = Option<String>)]
    pub sup_effective_date: Option<VendorDate>,
    /// Its last day, `DD/MM/YYYY`.
    #[schema(value_type = String)]
    pub sup_exprn_date: VendorDate,
    /// `SUPPND` pending, `SUPAPP` approved, `SUPREJ` rejected, `SUPEXP`
    /// expired (approved, past its last day).
    #[schema(example = "SUPAPP")]
    pub sup_status_code: String,
    /// The event that prompted it, if any.
    pub sup_event_code: Option<String>,
    /// The case that prompted it, if any.
    pub sup_case_id: Option<String>,
    /// The scenario it suppresses: an event's `details[].scenarioName`.
    pub sup_scenario_skey: String,
    /// Ours: the customer it suppresses (the event's focus customer).
    pub customer_id: String,
    /// Ours: its business domain.
    pub domain: Option<String>,
    /// Ours: its jurisdiction.
    pub jurisdiction: Option<String>,
}

/// The answer of `getSuppressionRulesList`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RulesResponse {
    /// "Suppression rules fetched successfully."
    #[serde(rename = "MESSAGE")]
    pub message: String,
    /// `SUCCESS`.
    #[serde(rename = "STATUS")]
    pub status: Status,
    /// A page of the rules, by `supSeqId`.
    #[serde(rename = "RESULTARRAY")]
    pub results: Vec<Rule>,
    /// Ours: pass as `cursor` for the next page; `null` on the last.
    #[serde(rename = "nextCursor")]
    pub next_cursor: Option<i64>,
}

/// A rule to create (ours).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewRule {
    /// The customer whose events it suppresses.
    pub customer_id: Id,
    /// The scenario it suppresses (an event's `details[].scenarioName`).
    #[schema(value_type = String, min_length = 1, max_length = 255, pattern = "\\S")]
    pub scenario: LongText,
    /// Its last day, `DD/MM/YYYY`, today or later.
    #[schema(value_type = String, pattern = "^[0-9]{2}/[0-9]{2}/[0-9]{4}$", example = "31/12/2027")]
    pub expiry_date: VendorDate,
    /// Business domain.
    #[serde(default)]
    pub domain: Option<ShortText>,
    /// Jurisdiction.
    #[serde(default)]
    pub jurisdiction: Option<ShortText>,
    /// The event that prompted it (a false positive).
    #[serde(default)]
    pub event_code: Option<Id>,
    /// The case that prompted it.
    #[serde(default)]
    pub case_id: Option<Id>,
}

/// A decision on a rule (ours).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuleDecision {
    /// The rule.
    pub sup_code: Id,
}

/// The answer of our rule operations: the rule as it now is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleResponse {
    /// "Suppression rule created successfully.", "... approved ...",
    /// "... rejected ...".
    #[serde(rename = "MESSAGE")]
    pub message: String,
    /// `SUCCESS`.
    #[serde(rename = "STATUS")]
    pub status: Status,
    /// The rule.
    pub rule: Rule,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_day_month_year() {
        assert_eq!(
            VendorDate::parse("03/05/2022").map(|d| d.to_string()),
            Ok("03/05/2022".to_owned())
        );
        for bad in ["3/5/2022", "2022-05-03", "31/02/2022", "03/05/22"] {
            assert!(VendorDate::parse(bad).is_err(), "{bad}");
        }
    }
}
