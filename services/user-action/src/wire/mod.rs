//! The bodies of the CAM operations, as the API documents them: requests,
//! parsed at the edge, and answers, in the Fabric envelope. Field names are
//! the vendor's, so every error names the field as the client sent it.
//! Unknown request fields are accepted and ignored, as the contract asks.

mod actions;
mod applications;
mod audit;
mod decisions;
mod documents;
mod fabric;
mod process;
mod prospect;

pub use actions::{
    ActionGroups, ActionQuery, ActionUpdate, ActionUpdated, ActionsUpdated, BulkUpdate,
    CreatedAction, CreatedGroups, ListedAction, Status, UpdatedAction, MAX_RESPONSE_CHARS,
};
pub use applications::{ApplicationListQuery, DEFAULT_APPLICATION_PAGE, MAX_APPLICATION_PAGE};
pub use audit::{AuditEvent, AuditEvents, AuditQuery, MAX_AUDIT_PAGE};
pub use decisions::{DecisionApplied, MAX_DECISION_BYTES};
pub use documents::{AttachedDocument, DocumentQuery, Documents, StoredFile, Upload, Uploaded};
pub use fabric::{Fabric, FabricError};
pub use process::{
    ApplicationStatus, RmNotified, RmRequest, Signal, SignalRequest, Signalled, MAX_MESSAGE_CHARS,
};
pub use prospect::{ApplicantType, Profile, ProspectCreated, ProspectUpdated};

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

/// The OpenAPI schema of a [`flexible_bool`]: a boolean, `"true"`,
/// `"false"` or `null`.
pub fn flexible_bool_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
    let one_of = OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::Boolean))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["true", "false"])),
        )
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .build();
    Schema::OneOf(one_of)
}

/// The form of createPreRequirements, for the API document: `jsondata`
/// holds an [`ApplicationQuery`] written as JSON.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct PreRequirementsForm {
    /// An [`ApplicationQuery`] as JSON text, for example `{}`.
    #[schema(content_media_type = "application/json", example = "{}")]
    pub jsondata: String,
}

/// The body of createPreRequirements (`jsondata`).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ApplicationQuery {
    /// The application (default: the caller's latest).
    #[serde(default, rename = "Application_id", deserialize_with = "optional")]
    pub application_id: Option<String>,
}
