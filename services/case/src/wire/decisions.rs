//! `updateEventRiskDecision` (ECM guide 4.17): an analyst's decision on an
//! event of a case.

use super::values::{Id, LongText, ShortText};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A decision on one event, as the vendor's sample sends it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventDecision {
    /// The event decided on: one of the case's.
    #[schema(example = "ECMRT1662738331135")]
    pub event_code: Id,
    /// The event's type code; when sent, it must be the event's.
    #[serde(default)]
    #[schema(example = "AML")]
    pub event_type_code: Option<ShortText>,
    /// The event's data origin; when sent, it must be the event's.
    #[serde(default)]
    #[schema(example = "DLY")]
    pub data_origin: Option<ShortText>,
    /// The decision: a whole number (the bank's decision codes).
    #[schema(example = 1, minimum = 0, maximum = 999_999_999)]
    pub event_decision_code: u32,
    /// Standard comment ids, comma-separated (`8151,8152`).
    #[serde(default)]
    #[schema(
        value_type = Option<String>,
        example = "8151,8152",
        max_length = 64,
        pattern = "^[0-9]{1,18}(,[0-9]{1,18})*$"
    )]
    pub standard_comment_id: Option<ShortText>,
    /// The analyst's comments.
    #[serde(default)]
    #[schema(example = "This event is suspicious.")]
    pub comments: Option<LongText>,
}

impl EventDecision {
    /// Why it is refused though it parsed, as the field at fault and what
    /// is wrong with it.
    pub fn violation(&self) -> Option<(&'static str, String)> {
        if self.event_decision_code > 999_999_999 {
            return Some(("eventDecisionCode", "must be at most 999999999".to_owned()));
        }
        let ids = self.standard_comment_id.as_ref().map(ShortText::as_str);
        let well_formed = |ids: &str| {
            ids.split(',').all(|id| {
                !id.is_empty() && id.len() <= 18 && id.bytes().all(|b| b.is_ascii_digit())
            })
        };
        match ids {
            Some(ids) if !well_formed(ids) => Some((
                "standardCommentId",
                "must be comment ids (digits) separated by commas".to_owned(),
            )),
            _ => None,
        }
    }
}
