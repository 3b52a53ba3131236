//! The user actions: listing them, creating the pre-requirements, and
//! changing their status.

use super::{flexible_bool, flexible_bool_schema, optional};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A user action status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Status {
    /// Waiting for the applicant.
    Created,
    /// Answered.
    Submitted,
    /// Skipped (skippable actions only).
    Skipped,
    /// Accepted by a reviewer.
    Reviewed,
    /// Sent back by a reviewer.
    Rejected,
}

impl Status {
    /// As stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "Created",
            Self::Submitted => "Submitted",
            Self::Skipped => "Skipped",
            Self::Reviewed => "Reviewed",
            Self::Rejected => "Rejected",
        }
    }
}

/// The longest `Response` accepted.
pub const MAX_RESPONSE_CHARS: usize = 4000;

/// The body of updateUserAction, and each item of the bulk call.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ActionUpdate {
    /// `{UserActionName}_{PartyId}_{Application_id}`; not blank.
    #[schema(example = "ProofOfIncomeEmployed_1778258145_3X88WLM", pattern = "\\S")]
    pub user_action_identifier: String,
    /// The applicant's answer (for Text and Date actions), at most
    /// [`MAX_RESPONSE_CHARS`] characters.
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub response: String,
    /// The new status.
    pub status: Status,
    /// Why a reviewer sends the action back (with `Rejected` only; at most
    /// [`MAX_RESPONSE_CHARS`] characters): the applicant sees it as
    /// `ActionMetaData.ReviewComment` until the action is submitted again.
    #[serde(default, deserialize_with = "optional")]
    #[schema(value_type = Option<String>, max_length = 4000, example = "The payslip is not legible")]
    pub review_comment: Option<String>,
}

/// The body of updateUserActionBulk.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct BulkUpdate {
    /// The updates, applied all or none (1 to 100).
    #[schema(min_items = 1, max_items = 100)]
    pub user_actions: Vec<ActionUpdate>,
}

/// The body of getUserActions.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ActionQuery {
    /// `"true"`: only pre-requirements; `"false"`: only the others; absent: all.
    #[serde(default, rename = "isPre", deserialize_with = "flexible_bool")]
    #[schema(schema_with = flexible_bool_schema, example = "true")]
    pub is_pre: Option<bool>,
    /// The application (default: the caller's latest).
    #[serde(default, rename = "Application_id", deserialize_with = "optional")]
    pub application_id: Option<String>,
}

/// What updateUserAction answers: the update's id (the same id again when
/// the identical update was already applied).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActionUpdated {
    /// The update's id.
    #[schema(example = "60fe1b7edecbb711d1e76641")]
    pub id: String,
}

/// What updateUserActionBulk answers: each update's id, in the order sent.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActionsUpdated {
    /// The updates.
    #[serde(rename = "UserActions")]
    pub user_actions: Vec<UpdatedAction>,
}

/// One update of updateUserActionBulk's answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UpdatedAction {
    /// The action updated.
    #[serde(rename = "UserActionIdentifier")]
    #[schema(example = "DriverLicense_1778258145_3X88WLM")]
    pub user_action_identifier: String,
    /// The update's id.
    #[schema(example = "60fe1b7edecbb711d1e76641")]
    pub id: String,
}

// The listings below are written by hand (`render`, for speed: building
// values for them dominated getUserActions' cost); these types only
// document their shape, and are never built. Each holds the envelope's
// fields itself: as `Fabric<_>`'s `allOf`, the groups' `additionalProperties`
// would refuse `opstatus` and `httpStatusCode`.

/// What getUserActions answers: the actions of each group under the
/// group's name (`ActionMetaData.Group`, for example `Income`), in catalog
/// order, how many there are, and the Fabric envelope's fields.
#[derive(Serialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ActionGroups {
    /// Each group's actions, under the group's name.
    #[serde(flatten)]
    pub groups: HashMap<String, Vec<ListedAction>>,
    /// How many actions are listed.
    pub count: usize,
    /// The application.
    #[serde(rename = "Application_id")]
    #[schema(example = "3X88WLM")]
    pub application_id: String,
    /// Its status.
    #[serde(rename = "ApplicationStatus")]
    pub application_status: super::ApplicationStatus,
    /// Present, `true`, while the application's case waits on the
    /// customer (the bank asked for more information, `RFI`): the actions
    /// sent back `Rejected` say what it needs. The status stays
    /// `Submitted` or `UnderReview`.
    #[serde(
        rename = "PendingWithCustomer",
        skip_serializing_if = "Option::is_none"
    )]
    pub pending_with_customer: Option<bool>,
    /// 0: the operation succeeded.
    #[schema(example = 0)]
    pub opstatus: u32,
    /// 200, the HTTP status.
    #[serde(rename = "httpStatusCode")]
    #[schema(example = 200)]
    pub http_status_code: u16,
}

/// What createPreRequirements answers: the application's pre-requirement
/// actions under their group's name, how many there are, the application,
/// and the Fabric envelope's fields.
#[derive(Serialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct CreatedGroups {
    /// Each group's actions, under the group's name.
    #[serde(flatten)]
    pub groups: HashMap<String, Vec<CreatedAction>>,
    /// How many actions there are.
    pub count: usize,
    /// The application.
    #[schema(example = "3X88WLM")]
    pub id: String,
    /// 0: the operation succeeded.
    #[schema(example = 0)]
    pub opstatus: u32,
    /// 200, the HTTP status.
    #[serde(rename = "httpStatusCode")]
    #[schema(example = 200)]
    pub http_status_code: u16,
}

/// An action as getUserActions lists it.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
pub struct ListedAction {
    /// The catalog's name of the action.
    #[schema(example = "ProofOfIncomeEmployed")]
    pub user_action_name: String,
    /// The action's id.
    #[schema(example = "CA000000000001")]
    pub user_action_id: String,
    /// Its status.
    pub user_action_status: Status,
    /// The party it concerns.
    #[schema(example = "1778258145")]
    pub party_id: String,
    /// The catalog's description of the action, with `CategoryMetadata`
    /// and `DynamicData`.
    pub action_meta_data: ActionMetaData,
    /// `{UserActionName}_{PartyId}_{Application_id}`.
    #[schema(example = "ProofOfIncomeEmployed_1778258145_3X88WLM")]
    pub user_action_identifier: String,
    /// The product it belongs to.
    #[schema(example = "ALL")]
    pub product_id: String,
}

/// An action as createPreRequirements answers it.
#[derive(Serialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct CreatedAction {
    /// The catalog's name of the action.
    #[serde(rename = "UserActionName")]
    #[schema(example = "ProofOfIncomeEmployed")]
    pub user_action_name: String,
    /// The action's id.
    #[serde(rename = "UserActionId")]
    #[schema(example = "CA000000000001")]
    pub user_action_id: String,
    /// Its status.
    #[serde(rename = "UserActionStatus")]
    pub user_action_status: Status,
    /// The catalog's description of the action.
    #[serde(rename = "ActionMetaData")]
    pub action_meta_data: ActionMetaData,
    /// `{UserActionName}_{PartyId}_{Application_id}`.
    #[serde(rename = "UserActionIdentifier")]
    #[schema(example = "ProofOfIncomeEmployed_1778258145_3X88WLM")]
    pub user_action_identifier: String,
    /// The first name of the applicant it concerns ("" when none).
    #[serde(rename = "appliesTo")]
    #[schema(example = "Virat")]
    pub applies_to: String,
    /// The party it concerns.
    #[serde(rename = "appliesToId")]
    #[schema(example = "1778258145")]
    pub applies_to_id: String,
    /// The applicant's names, when the action concerns an applicant.
    #[serde(rename = "DynamicData")]
    #[schema(nullable = false)]
    pub dynamic_data: Option<ApplicantNames>,
}

/// `ActionMetaData`: the catalog's description of an action, as the bank
/// wrote it (`Group`, `Title`, `UserActionType`, `ActionLevel`,
/// `Skippable`, `NeedsReview`, `isPreRequirement` and any other key), and in
/// getUserActions what it concerns.
#[derive(Serialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ActionMetaData {
    /// The catalog's keys and values.
    #[serde(flatten)]
    pub catalog: HashMap<String, serde_json::Value>,
    /// What the action concerns (getUserActions).
    #[serde(rename = "CategoryMetadata")]
    #[schema(nullable = false)]
    pub category_metadata: Option<CategoryMetadata>,
    /// The applicant's names, for actions about a person (getUserActions).
    #[serde(rename = "DynamicData")]
    #[schema(nullable = false)]
    pub dynamic_data: Option<ApplicantNames>,
    /// Why the bank sent the action back (getUserActions): present from
    /// its rejection until it is submitted again.
    #[serde(rename = "ReviewComment")]
    #[schema(nullable = false, example = "The payslip is not legible")]
    pub review_comment: Option<String>,
}

/// What an action concerns: the application, an applicant's party, or the
/// main applicant as an entity.
#[derive(Serialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct CategoryMetadata {
    /// The application id, party id or entity id.
    #[schema(example = "1778258145")]
    pub identifier: String,
    /// `Application`, `Applicant` or `Entity`.
    #[serde(rename = "type")]
    #[schema(example = "Applicant")]
    pub kind: String,
}

/// An applicant's names.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
#[allow(dead_code)]
pub struct ApplicantNames {
    /// The first name.
    #[schema(example = "Virat")]
    pub first_name: String,
    /// The last name.
    #[schema(example = "Kohli")]
    pub last_name: String,
}
