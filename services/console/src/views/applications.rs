//! The applications screen (a whole page, or its results alone for htmx)
//! and a case's evidence shown inline.

use super::Chrome;
use crate::wire::applications::ApplicationsQuery;
use askama::Template;

/// The application statuses (SPEC §D), with the names the screen shows.
pub const STATUSES: [(&str, &str); 6] = [
    ("InProgress", "In progress"),
    ("Submitted", "Submitted"),
    ("UnderReview", "Under review"),
    ("Approved", "Approved"),
    ("Rejected", "Rejected"),
    ("Withdrawn", "Withdrawn"),
];

/// The name of application status `code` (the code itself when unknown).
pub fn status_name(code: &str) -> &str {
    STATUSES
        .iter()
        .find(|(known, _)| *known == code)
        .map_or(code, |(_, name)| name)
}

/// An action waiting for the applicant, as a row lists it.
#[derive(Debug, Clone)]
pub struct PendingView {
    /// The catalog's name of the action.
    pub name: String,
    /// `Created` or `Rejected`.
    pub status: String,
    /// Why the bank sent it back, when it did.
    pub comment: Option<String>,
}

/// A request for help, as a row lists it.
#[derive(Debug, Clone)]
pub struct RequestView {
    /// What the applicant asked.
    pub message: String,
    /// When (RFC 3339, UTC).
    pub at: String,
}

/// An application, as the table lists it.
#[derive(Debug, Clone)]
pub struct ApplicationRow {
    /// The application id.
    pub application_id: String,
    /// Its status's name.
    pub status: String,
    /// Its applicants: "First Last (Applicant)", the main one first.
    pub applicants: Vec<String>,
    /// Its actions waiting for the applicant.
    pub pending: Vec<PendingView>,
    /// Its newest requests for help.
    pub requests: Vec<RequestView>,
    /// How many requests it has in all.
    pub request_count: u64,
    /// Its case and the case's page, once it has one.
    pub case: Option<(String, String)>,
    /// When its status last changed.
    pub updated_at: String,
}

/// What the applications screen shows.
#[derive(Debug, Clone)]
pub struct ApplicationsView {
    /// The filters, as sent.
    pub query: ApplicationsQuery,
    /// What was wrong with them, or with the page asked for.
    pub error: Option<String>,
    /// Whether user-action was asked (the filters were acceptable).
    pub fetched: bool,
    /// The page's applications.
    pub rows: Vec<ApplicationRow>,
    /// How many match the filters, over all pages.
    pub total: u64,
    /// The next page's address, unless this is the last.
    pub next: Option<String>,
    /// The first page's address, when this is a later page.
    pub first: Option<String>,
}

impl ApplicationsView {
    /// Whether any filter is set.
    pub fn filtered(&self) -> bool {
        !self.query.status.is_empty() || !self.query.open.is_empty()
    }

    /// The results' one-line summary (the table's caption, and the live
    /// status htmx updates).
    pub fn summary(&self) -> String {
        let shown = self.rows.len() as u64;
        if !self.fetched {
            "No applications shown.".to_owned()
        } else if self.total == 0 {
            "No applications.".to_owned()
        } else if shown == self.total {
            match shown {
                1 => "1 application.".to_owned(),
                n => format!("{n} applications."),
            }
        } else {
            format!("Showing {shown} of {} applications.", self.total)
        }
    }
}

/// The applications screen.
#[derive(Template)]
#[template(path = "applications.html")]
pub struct ApplicationsPage {
    /// The layout.
    pub chrome: Chrome,
    /// The screen.
    pub view: ApplicationsView,
    /// Whether it is the results alone (always false here).
    pub partial: bool,
}

/// The applications' results alone, for htmx.
#[derive(Template)]
#[template(path = "applications_results.html")]
pub struct ApplicationsResults {
    /// The screen.
    pub view: ApplicationsView,
    /// Whether it is the results alone (true here).
    pub partial: bool,
}

/// How the evidence page shows a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preview {
    /// In an `<img>`.
    Image,
    /// In an `<object type="application/pdf">`.
    Pdf,
    /// Not inline: download only.
    None,
}

/// A case's document, shown inline.
#[derive(Template)]
#[template(path = "evidence.html")]
pub struct EvidencePage {
    /// The layout.
    pub chrome: Chrome,
    /// The case and its page's evidence tab.
    pub case_id: String,
    /// The case's evidence tab.
    pub back: String,
    /// The file's name.
    pub file_name: String,
    /// Its declared type.
    pub file_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// The action it answers.
    pub action: String,
    /// When it was added.
    pub added_at: String,
    /// How it is shown.
    pub preview: Preview,
    /// The content's address, shown inline.
    pub content: String,
    /// The content's address, as a download.
    pub download: String,
}

/// A refusal naming what was wrong in the address (a 400).
#[derive(Template)]
#[template(path = "error.html")]
pub struct RefusedPage {
    /// The layout.
    pub chrome: Chrome,
    /// What was wrong, and what to do.
    pub message: String,
}
