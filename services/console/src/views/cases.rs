//! The case screens: the inbox (a whole page, or its results alone for
//! htmx) and a case with its tabs and, for the case worker holding its
//! lock, its actions.

use super::Chrome;
use crate::config::EventDecisionLabel;
use crate::wire::cases::InboxQuery;
use askama::Template;
use clients::ecm::{
    Account, AuditEvent, CaseEvent, Customer, Evidence, ExternalEntity, Narrative, Transaction,
};

/// Every status, as the inbox filters by it and the pages name it.
pub const STATUSES: [(&str, &str); 8] = [
    ("NW", "New"),
    ("INV", "Investigation"),
    ("ESC", "Escalated"),
    ("CLS", "Closed"),
    ("APR", "Closed – Approved"),
    ("REJ", "Closed – Rejected"),
    ("RFI", "Pending with customer"),
    ("WDN", "Closed – Withdrawn"),
];

/// The statuses a case worker sets on any case.
pub const SETTABLE: [&str; 4] = ["NW", "INV", "ESC", "CLS"];
/// The statuses set only on an application's case; each needs a comment
/// (the applicant hears of it).
pub const APPLICATION_STATUSES: [&str; 3] = ["APR", "REJ", "RFI"];

/// The statuses four eyes guards: with it required, they are set only on
/// another case worker's recommendation.
pub const GUARDED: [&str; 2] = ["APR", "REJ"];

/// The priorities.
pub const PRIORITIES: [&str; 3] = ["Low", "Medium", "High"];

/// What the inbox sorts by, with the column it heads.
pub const SORTS: [(&str, &str); 5] = [
    ("dueDate", "Due date"),
    ("priority", "Priority"),
    ("createdOn", "Created"),
    ("statusChanged", "Status changed"),
    ("caseId", "Case"),
];

/// The name of status `code` (the code itself when unknown).
pub fn status_name(code: &str) -> &str {
    STATUSES
        .iter()
        .find(|(known, _)| *known == code)
        .map_or(code, |(_, name)| name)
}

/// A path segment percent-encoded (all but RFC 3986's unreserved
/// characters), for links to a case.
pub fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The path of case `case_id`'s page.
pub fn case_path(case_id: &str) -> String {
    format!("/console/cases/{}", segment(case_id))
}

/// A link of a pager or a tab bar.
#[derive(Debug, Clone)]
pub struct Link {
    /// What it says.
    pub label: String,
    /// Where it goes.
    pub href: String,
    /// Whether it is the page shown (`aria-current`).
    pub current: bool,
}

/// A sortable column heading.
#[derive(Debug, Clone)]
pub struct SortHeading {
    /// What it sorts by (`dueDate`, ...).
    pub key: &'static str,
    /// The link that sorts by it (the other way when it is the sort).
    pub href: String,
    /// `ascending`, `descending` or `none` (`aria-sort`).
    pub aria_sort: &'static str,
}

/// A case as the inbox lists it.
#[derive(Debug, Clone)]
pub struct InboxRow {
    /// Its page.
    pub href: String,
    /// Its id.
    pub case_id: String,
    /// Its type, or "—".
    pub case_type: String,
    /// Its status's name.
    pub status: String,
    /// Its priority, or "—".
    pub priority: String,
    /// When it is due, or "—".
    pub due: String,
    /// Whether it is overdue.
    pub overdue: bool,
    /// Who works it, or "Unassigned".
    pub assignee: String,
    /// The customer it was opened for, or "—".
    pub customer: String,
    /// Who holds its lock, if someone.
    pub locked_by: Option<String>,
}

/// What the inbox shows, as a page or as its results alone.
#[derive(Debug, Clone)]
pub struct InboxView {
    /// The filters as sent (echoed into the form).
    pub query: InboxQuery,
    /// A refusal naming the field, if the filters were refused.
    pub error: Option<String>,
    /// The page of cases.
    pub rows: Vec<InboxRow>,
    /// How many cases match (a lower bound when `total_capped`).
    pub total: i64,
    /// More cases match than `total`: case-service counts up to a cap.
    pub total_capped: bool,
    /// The first row's position (1-based; 0 when none).
    pub first: i64,
    /// The last row's position.
    pub last: i64,
    /// The pager: previous, numbers, next.
    pub pages: Vec<Link>,
    /// The column headings.
    pub headings: Vec<SortHeading>,
}

impl InboxView {
    /// "1–25 of 312 cases", "1–25 of more than 10,100 cases", or "No
    /// cases".
    pub fn summary(&self) -> String {
        let (first, last) = (thousands(self.first), thousands(self.last));
        match (self.total, self.total_capped) {
            (n, true) => format!("{first}–{last} of more than {} cases.", thousands(n)),
            (0, false) => "No cases match.".to_owned(),
            (1, false) => "1 case.".to_owned(),
            (n, false) => format!("{first}–{last} of {} cases.", thousands(n)),
        }
    }

    /// The heading of the column sorted by `key`.
    pub fn heading(&self, key: &str) -> SortHeading {
        self.headings
            .iter()
            .find(|h| h.key == key)
            .cloned()
            .unwrap_or(SortHeading {
                key: "caseId",
                href: "/console/cases".to_owned(),
                aria_sort: "none",
            })
    }

    /// What the cases are sorted by (`dueDate` unless chosen).
    pub fn sort_key(&self) -> &str {
        if self.query.sort.is_empty() {
            "dueDate"
        } else {
            &self.query.sort
        }
    }

    /// Whether any filter or search is set (for the empty state's words).
    pub fn filtered(&self) -> bool {
        let q = &self.query;
        [&q.status, &q.case_type, &q.priority, &q.q, &q.overdue]
            .iter()
            .any(|v| !v.is_empty())
            || !matches!(q.assignee.as_str(), "" | "any")
    }
}

/// The inbox page.
#[derive(Template)]
#[template(path = "inbox.html")]
pub struct InboxPage {
    /// The layout.
    pub chrome: Chrome,
    /// What it shows.
    pub view: InboxView,
    /// Whether the results go out of band (never on the whole page).
    pub partial: bool,
}

/// The inbox's results alone: what htmx swaps into `#results`.
#[derive(Template)]
#[template(path = "inbox_results.html")]
pub struct InboxResults {
    /// What it shows.
    pub view: InboxView,
    /// Always true: the live region comes out of band.
    pub partial: bool,
}

/// The lock of a case, as its page shows it.
#[derive(Debug, Clone)]
pub struct LockView {
    /// Who holds it.
    pub by: String,
    /// Until when (RFC 3339, UTC).
    pub until: String,
    /// Whether the viewer does.
    pub mine: bool,
}

/// The case's header.
#[derive(Debug, Clone)]
pub struct CaseHeader {
    /// Its id.
    pub case_id: String,
    /// Its type, or "—".
    pub case_type: String,
    /// Its status code.
    pub status_code: String,
    /// Its status's name.
    pub status: String,
    /// Its priority, or "—".
    pub priority: String,
    /// When it is due, or "—".
    pub due: String,
    /// Who works it, if someone.
    pub assignee: Option<String>,
    /// The application it was opened for, if one.
    pub application_id: Option<String>,
    /// Its description, if one.
    pub description: Option<String>,
    /// Its effective risk (its customers' highest), or "—".
    pub effective_risk: String,
    /// Whether closing it as approved or rejected takes two case workers.
    pub four_eyes: bool,
}

/// A case's open recommendation (four eyes), as its page shows it.
#[derive(Debug, Clone)]
pub struct RecommendationView {
    /// The status recommended (`APR` or `REJ`).
    pub code: String,
    /// Its name.
    pub status: String,
    /// Who recommended it.
    pub by: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Why.
    pub comment: String,
    /// Whether the viewer did (and so may not approve it).
    pub mine: bool,
}

/// What a case page shows.
#[derive(Debug, Clone)]
pub struct CaseView {
    /// The header.
    pub header: CaseHeader,
    /// Its lock, while held.
    pub lock: Option<LockView>,
    /// Whether the viewer may work on cases (`case:write`).
    pub can_write: bool,
    /// Whether the viewer holds the lock (and may write): actions shown.
    pub editing: bool,
    /// The tab shown.
    pub tab: &'static str,
    /// The tab bar.
    pub tabs: Vec<Link>,
    /// The tab's next page, if there is one.
    pub next: Option<String>,
    /// The first page of the tab, when this is a later one.
    pub first: Option<String>,
    /// What went wrong with the last action, naming the field.
    pub error: Option<String>,
    /// The statuses this case may be set to directly (without `APR` and
    /// `REJ` while four eyes is required).
    pub statuses: Vec<(&'static str, &'static str)>,
    /// Its open recommendation, if one.
    pub recommendation: Option<RecommendationView>,
    /// Whether the status form offers to recommend approval or rejection
    /// (four eyes required, an application's case, none open).
    pub recommend: bool,
    /// Whether the viewer may approve the open recommendation (four eyes
    /// required, recommended by someone else).
    pub approve: bool,
    /// The event risk decisions offered.
    pub decisions: Vec<EventDecisionLabel>,
    /// The customers tab.
    pub customers: Vec<Customer>,
    /// The accounts tab.
    pub accounts: Vec<Account>,
    /// The transactions tab.
    pub transactions: Vec<Transaction>,
    /// The external entities tab.
    pub entities: Vec<ExternalEntity>,
    /// The events tab.
    pub events: Vec<CaseEvent>,
    /// The evidence tab.
    pub evidence: Vec<Evidence>,
    /// The narratives tab.
    pub narratives: Vec<Narrative>,
    /// The audit tab.
    pub audit: Vec<AuditEvent>,
}

impl CaseView {
    /// The label of decision `code` (the code itself when not configured).
    pub fn decision_label(&self, code: &i64) -> String {
        self.decisions
            .iter()
            .find(|d| i64::from(d.code) == *code)
            .map_or_else(|| code.to_string(), |d| d.label.clone())
    }

    /// The case's own path.
    pub fn path(&self) -> String {
        case_path(&self.header.case_id)
    }
}

/// A case page.
#[derive(Template)]
#[template(path = "case.html")]
pub struct CasePage {
    /// The layout.
    pub chrome: Chrome,
    /// What it shows.
    pub view: CaseView,
    /// The session's CSRF token, for the action forms.
    pub csrf: String,
}

/// `n` with a comma every three digits ("10,100").
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{thousands, InboxView};

    fn view(total: i64, total_capped: bool, first: i64, last: i64) -> InboxView {
        InboxView {
            query: Default::default(),
            error: None,
            rows: Vec::new(),
            total,
            total_capped,
            first,
            last,
            pages: Vec::new(),
            headings: Vec::new(),
        }
    }

    #[test]
    fn the_summary_says_when_the_total_is_a_lower_bound() {
        assert_eq!(
            view(10_100, true, 10_001, 10_025).summary(),
            "10,001–10,025 of more than 10,100 cases."
        );
        assert_eq!(
            view(10_100, false, 1, 25).summary(),
            "1–25 of 10,100 cases."
        );
        assert_eq!(view(0, false, 0, 0).summary(), "No cases match.");
    }

    #[test]
    fn thousands_are_separated_by_commas() {
        let cases = [(0, "0"), (999, "999"), (1_000, "1,000"), (10_100, "10,100")];
        for (n, text) in cases {
            assert_eq!(thousands(n), text);
        }
        assert_eq!(thousands(-1_234_567), "-1,234,567");
    }
}
