//! The bodies and query of the document operations. The answers are the
//! domain's own types, shared with the document client, and re-exported
//! here so that every wire type of the API is found in one place.

use serde::Deserialize;

pub use domain::document::{DocumentMetadata, DocumentPage};

/// The JSON form: the seed's `Response[]` item, plus the reference.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JsonUpload {
    /// What the document answers, for example a user action identifier:
    /// 1 to 256 characters, not blank, without control characters.
    #[schema(
        min_length = 1,
        max_length = 256,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub reference: String,
    /// The file name.
    #[schema(example = "techspectemplate.pdf")]
    pub file_name: String,
    /// The declared media type.
    #[schema(example = "application/pdf")]
    pub file_type: String,
    /// Free text about the file.
    #[serde(default)]
    pub file_info: String,
    /// The caller's id of the file: a number or a string, returned as sent.
    #[serde(default)]
    #[schema(schema_with = domain::document::number_or_string, example = 1627265913230_u64)]
    pub file_client_id: Option<serde_json::Value>,
    /// The content, base64 (a `data:...;base64,` prefix and line breaks are
    /// accepted); a file is never empty.
    #[schema(min_length = 1)]
    pub file_contents: String,
}

/// The multipart form, for the API document.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct MultipartUpload {
    /// What the document answers: 1 to 256 characters, not blank, without
    /// control characters.
    #[schema(
        min_length = 1,
        max_length = 256,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    reference: String,
    /// Free text about the file.
    file_info: Option<String>,
    /// The caller's id of the file.
    file_client_id: Option<String>,
    /// The file; its part's filename and Content-Type are the name and declared type.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The query of a list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct ListQuery {
    /// Only documents answering this reference.
    pub reference: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `nextCursor` of the previous page: a document id.
    #[param(
        pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub cursor: Option<String>,
}
