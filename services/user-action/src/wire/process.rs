//! The application's flow to the bank (SPEC §D): signalProcess (Submit,
//! Withdraw) and notifyRM.

use super::optional;
use serde::{Deserialize, Serialize};

/// An application status (SPEC §D). The server alone sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum ApplicationStatus {
    /// Created; the applicant is answering its actions.
    InProgress,
    /// Submitted by the applicant.
    Submitted,
    /// Its KYC case is open.
    UnderReview,
    /// The case was closed approved.
    Approved,
    /// The case was closed rejected.
    Rejected,
    /// Withdrawn by the applicant before a decision.
    Withdrawn,
}

/// What the applicant signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub enum Signal {
    /// Submit the application: every required action must be `Submitted`
    /// or `Reviewed`.
    Submit,
    /// Withdraw the application, before a decision.
    Withdraw,
}

/// The body of signalProcess.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SignalRequest {
    /// `Submit` or `Withdraw`.
    #[serde(rename = "Signal")]
    pub signal: Signal,
    /// The application (default: the caller's latest).
    #[serde(default, rename = "Application_id", deserialize_with = "optional")]
    #[schema(value_type = Option<String>, example = "3X88WLM")]
    pub application_id: Option<String>,
}

/// What signalProcess answers: the application and its status.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Signalled {
    /// The application.
    #[serde(rename = "Application_id")]
    #[schema(example = "3X88WLM")]
    pub application_id: String,
    /// Its status now.
    #[serde(rename = "ApplicationStatus")]
    #[schema(value_type = ApplicationStatus, example = "Submitted")]
    pub application_status: String,
}

/// The longest notifyRM `Message` accepted.
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// The body of notifyRM.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RmRequest {
    /// What the applicant asks the bank: not blank, at most 2000
    /// characters.
    #[serde(rename = "Message")]
    #[schema(
        example = "Which payslips do you need?",
        max_length = 2000,
        pattern = "\\S"
    )]
    pub message: String,
    /// The application (default: the caller's latest).
    #[serde(default, rename = "Application_id", deserialize_with = "optional")]
    #[schema(value_type = Option<String>, example = "3X88WLM")]
    pub application_id: Option<String>,
}

/// What notifyRM answers: the request's id.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RmNotified {
    /// The request's id.
    #[schema(example = "60fe1b7edecbb711d1e76641")]
    pub id: String,
}
