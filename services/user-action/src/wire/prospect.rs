//! createProspectProfile and updateProspectProfile: the profile sent, and
//! the ids answered.

use super::{flexible_bool, optional};
use domain::text::{Code, Email, Name, PastDate};
use serde::{Deserialize, Deserializer, Serialize};

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
    /// Accepted and ignored: the server alone sets an application's status
    /// (a new one is `InProgress`).
    #[serde(default, deserialize_with = "optional")]
    #[schema(value_type = Option<String>, example = "InProgress")]
    #[allow(dead_code)] // Read to check its shape; never kept.
    pub status: Option<Code>,
    /// Accepted and ignored: whether the applicant is already a customer is
    /// the bank's to establish, not the applicant's to say.
    #[serde(default, deserialize_with = "optional")]
    #[schema(value_type = Option<String>, example = "No")]
    #[allow(dead_code)] // Read to check its shape; never kept.
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

/// What createProspectProfile answers.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProspectCreated {
    /// The new application.
    #[serde(rename = "Application_id")]
    #[schema(example = "3X88WLM")]
    pub application_id: String,
    /// Its main applicant's party.
    #[serde(rename = "Party_Id")]
    #[schema(example = "1778258145")]
    pub party_id: String,
}

/// What updateProspectProfile answers.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProspectUpdated {
    /// The co-applicant's record.
    #[serde(rename = "EntityId")]
    #[schema(example = "60fe1abbdecbb711d1e76620")]
    pub entity_id: String,
    /// The co-applicant's party.
    #[serde(rename = "Party_Id")]
    #[schema(example = "1075992239")]
    pub party_id: String,
}
