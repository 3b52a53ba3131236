//! What the applications screen's filters and links send. Every field
//! arrives as text and is checked by the handler, so a bad one is
//! answered with a page naming it.

use serde::Deserialize;

/// The applications screen's query string (`GET /console/applications?...`).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ApplicationsQuery {
    /// An application status, or empty for any.
    #[serde(default)]
    pub status: String,
    /// `on` for applications with requests for help still open only.
    #[serde(default)]
    pub open: String,
    /// The page's cursor, from a "Next page" link.
    #[serde(default)]
    pub cursor: String,
}

/// The evidence content's query string (`?download=1`).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ContentQuery {
    /// `1` to download the document rather than show it.
    #[serde(default)]
    pub download: String,
}
