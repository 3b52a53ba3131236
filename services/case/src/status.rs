//! The statuses a case can be in. ECM answers a status with its code, its
//! name and whether it is a closed status (`getCaseStatusDetails`).

/// A case status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseStatus {
    /// The code stored and sent (`NW`).
    pub code: &'static str,
    /// Its name (`New`).
    pub name: &'static str,
    /// Whether the case is closed: a closed case takes no new customers.
    pub closed: bool,
}

/// Every status, the initial one first.
pub const STATUSES: &[CaseStatus] = &[
    CaseStatus {
        code: "NW",
        name: "New",
        closed: false,
    },
    CaseStatus {
        code: "INV",
        name: "Investigation",
        closed: false,
    },
    CaseStatus {
        code: "ESC",
        name: "Escalated",
        closed: false,
    },
    CaseStatus {
        code: "CLS",
        name: "Closed",
        closed: true,
    },
];

/// The status of a new case.
pub const INITIAL: CaseStatus = STATUSES[0];

/// The status with `code`.
pub fn by_code(code: &str) -> Option<CaseStatus> {
    STATUSES.iter().copied().find(|s| s.code == code)
}

/// What the refusal of an unknown code says.
pub fn rule() -> String {
    let codes: Vec<&str> = STATUSES.iter().map(|s| s.code).collect();
    format!("must be one of {}", codes.join(", "))
}
