//! The request bodies of the CAM operations, parsed at the edge. Field
//! names are the vendor's, so every error names the field as the client
//! sent it. Unknown fields are accepted and ignored, as the contract asks.

use domain::text::{Code, Email, Name, PastDate};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Parses an optional field, reading `null` and `""` as absent (Fabric
/// clients send empty strings for fields they leave out).
pub fn optional<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(value) => serde_json::from_value(value)
            .map(Some)
            .map_err(|e| serde::de::Error::custom(service_kit::body::json_message(&e))),
    }
}

/// A boolean that may also be written `"true"` or `"false"` (the seed's
/// `IsExistentMember` is a JSON boolean; other clients send strings).
pub fn flexible_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(Value::String(s)) if s == "true" => Ok(Some(true)),
        Some(Value::String(s)) if s == "false" => Ok(Some(false)),
        Some(_) => Err(serde::de::Error::custom("must be true or false")),
    }
}

/// `MobileCountryCode`: `+` and 1 to 3 digits.
#[derive(Debug, Clone)]
pub struct DialCode(pub String);

impl<'de> Deserialize<'de> for DialCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let digits = s.strip_prefix('+').unwrap_or("");
        if (1..=3).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s))
        } else {
            Err(serde::de::Error::custom(
                "must be + followed by 1 to 3 digits",
            ))
        }
    }
}

/// `MobileNumber`: 4 to 14 digits.
#[derive(Debug, Clone)]
pub struct MobileNumber(pub String);

impl<'de> Deserialize<'de> for MobileNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if (4..=14).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s))
        } else {
            Err(serde::de::Error::custom("must be 4 to 14 digits"))
        }
    }
}

/// `ApplicantType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum ApplicantType {
    /// The main applicant.
    Applicant,
    /// A co-applicant.
    CoApplicant,
}

impl ApplicantType {
    /// As stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applicant => "Applicant",
            Self::CoApplicant => "CoApplicant",
        }
    }
}

/// The body of createProspectProfile and updateProspectProfile.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Profile {
    /// Required.
    #[schema(value_type = String, example = "Virat")]
    pub first_name: Name,
    /// Required.
    #[schema(value_type = String, example = "Kohli")]
    pub last_name: Name,
    /// Required: `YYYY-MM-DD`, a real date in the past.
    #[schema(value_type = String, example = "1985-10-10")]
    pub date_of_birth: PastDate,
    /// Required.
    #[schema(value_type = String, example = "kanand@temenos.com")]
    pub email: Email,
    /// `+` and 1 to 3 digits.
    #[serde(default, deserialize_with = "optional")]
    #[schema(value_type = Option<String>, example = "+91")]
    pub mobile_country_code: Option<DialCode>,
    /// Digits.
    #[serde(default, deserialize_with = "optional")]
    #[schema(value_type = Option<String>, example = "9994305648")]
    pub mobile_number: Option<MobileNumber>,
    /// `Applicant` or `CoApplicant`.
    #[serde(default, deserialize_with = "optional")]
    #[schema(value_type = Option<String>, example = "Applicant")]
    pub applicant_type: Option<ApplicantType>,
    /// The branch's reference.
    #[serde(default, deserialize_with = "optional")]
    #[schema(value_type = Option<String>, example = "GB0010001")]
    pub branch_reference: Option<Code>,
    /// The progress of the section.
    #[serde(default, deserialize_with = "optional")]
    #[schema(value_type = Option<String>, example = "Done")]
    pub section_progress: Option<Code>,
    /// The consent given.
    #[serde(default, deserialize_with = "optional")]
    #[schema(value_type = Option<String>, example = "Create_PersonalInfo_Consent")]
    pub consent_identifier: Option<Code>,
    /// Whether it was accepted.
    #[serde(default, deserialize_with = "optional")]
    #[schema(value_type = Option<String>, example = "Yes")]
    pub acceptance_status: Option<Code>,
    /// The application's status.
    #[serde(default, deserialize_with = "optional")]
    #[schema(value_type = Option<String>, example = "InProgress")]
    pub status: Option<Code>,
    /// Whether the applicant is already a customer.
    #[serde(default, deserialize_with = "optional")]
    #[schema(value_type = Option<String>, example = "No")]
    pub is_existing_customer: Option<Code>,
    /// The application (updateProspectProfile; default: the caller's latest).
    #[serde(default, rename = "Application_id", deserialize_with = "optional")]
    #[schema(value_type = Option<String>, example = "3X88WLM")]
    pub application_id: Option<String>,
    /// The co-applicant record to update (updateProspectProfile).
    #[serde(default, deserialize_with = "optional")]
    #[schema(value_type = Option<String>, example = "60fe1abbdecbb711d1e76620")]
    pub entity_id: Option<String>,
    /// Whether the co-applicant is an existing member: a boolean, or "true"/"false".
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(value_type = Option<bool>)]
    pub is_existent_member: Option<bool>,
}

/// A user action status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
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
    /// `{UserActionName}_{PartyId}_{Application_id}`.
    #[schema(example = "ProofOfIncomeEmployed_1778258145_3X88WLM")]
    pub user_action_identifier: String,
    /// The applicant's answer (for Text and Date actions).
    #[serde(default)]
    pub response: String,
    /// The new status.
    pub status: Status,
}

/// The body of updateUserActionBulk.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct BulkUpdate {
    /// The updates, applied all or none (at most 100).
    pub user_actions: Vec<ActionUpdate>,
}

/// One file of uploadDocument (the seed's `Response[]` item).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileItem {
    /// The file name.
    #[schema(example = "techspectemplate.pdf")]
    pub file_name: String,
    /// The declared media type.
    #[schema(example = "application/pdf")]
    pub file_type: String,
    /// Free text.
    #[serde(default)]
    pub file_info: String,
    /// The client's id of the file, returned as sent.
    #[serde(default)]
    #[schema(value_type = Option<f64>, example = 1627265913230_u64)]
    pub file_client_id: Option<Value>,
    /// The content, base64.
    pub file_contents: String,
}

/// The body of uploadDocument.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Upload {
    /// The DocumentUpload action the files answer.
    #[schema(example = "ProofOfIncomeEmployed_1778258145_3X88WLM")]
    pub user_action_identifier: String,
    /// The files.
    pub response: Vec<FileItem>,
}

/// The body of getDocument.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DocumentQuery {
    /// The action whose documents to return.
    #[serde(rename = "UserActionIdentifier")]
    pub user_action_identifier: String,
    /// Only this document.
    #[serde(default, rename = "documentId", deserialize_with = "optional")]
    pub document_id: Option<String>,
}

/// The body of getUserActions.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ActionQuery {
    /// `"true"`: only pre-requirements; `"false"`: only the others; absent: all.
    #[serde(default, rename = "isPre", deserialize_with = "flexible_bool")]
    #[schema(value_type = Option<String>, example = "true")]
    pub is_pre: Option<bool>,
    /// The application (default: the caller's latest).
    #[serde(default, rename = "Application_id", deserialize_with = "optional")]
    pub application_id: Option<String>,
}

/// The body of createPreRequirements (`jsondata`) and getAuditEvents.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ApplicationQuery {
    /// The application (default: the caller's latest).
    #[serde(default, rename = "Application_id", deserialize_with = "optional")]
    pub application_id: Option<String>,
}
