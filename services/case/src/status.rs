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
    /// Whether `updateCaseStatus` may set it (`WDN` is the applicant's
    /// withdrawal alone).
    pub settable: bool,
}

/// Every status, the initial one first.
pub const STATUSES: &[CaseStatus] = &[
    CaseStatus {
        code: "NW",
        name: "New",
        closed: false,
        settable: true,
    },
    CaseStatus {
        code: "INV",
        name: "Investigation",
        closed: false,
        settable: true,
    },
    CaseStatus {
        code: "ESC",
        name: "Escalated",
        closed: false,
        settable: true,
    },
    CaseStatus {
        code: "CLS",
        name: "Closed",
        closed: true,
        settable: true,
    },
    APPROVED,
    REJECTED,
    CaseStatus {
        code: "RFI",
        name: "Pending with customer",
        closed: false,
        settable: true,
    },
    WITHDRAWN,
];

/// Closed, the application approved (SPEC §D): refused while an action
/// that needs review has no accepted document.
pub const APPROVED: CaseStatus = CaseStatus {
    code: "APR",
    name: "Closed – Approved",
    closed: true,
    settable: true,
};

/// Closed, the application rejected (SPEC §D).
pub const REJECTED: CaseStatus = CaseStatus {
    code: "REJ",
    name: "Closed – Rejected",
    closed: true,
    settable: true,
};

/// Closed because the applicant withdrew the application: set by
/// `application.withdrawn` only, never by `updateCaseStatus`.
pub const WITHDRAWN: CaseStatus = CaseStatus {
    code: "WDN",
    name: "Closed – Withdrawn",
    closed: true,
    settable: false,
};

/// The status of a new case.
pub const INITIAL: CaseStatus = STATUSES[0];

/// The status with `code`.
pub fn by_code(code: &str) -> Option<CaseStatus> {
    STATUSES.iter().copied().find(|s| s.code == code)
}

/// What the refusal of an unknown code says: the codes
/// `updateCaseStatus` may set.
pub fn rule() -> String {
    let codes: Vec<&str> = STATUSES
        .iter()
        .filter(|s| s.settable)
        .map(|s| s.code)
        .collect();
    format!("must be one of {}", codes.join(", "))
}

/// The priorities a case can have, lowest first: a case promoted from
/// events is `Low`; `searchCases` filters by them and sorts by their rank.
pub const PRIORITIES: [&str; 3] = ["Low", "Medium", "High"];

/// The rank of `priority` (`Low` 1 to `High` 3), stored beside it so that
/// sorting by priority reads an index.
pub fn priority_rank(priority: &str) -> Option<i32> {
    (1..)
        .zip(PRIORITIES)
        .find(|(_, p)| *p == priority)
        .map(|(rank, _)| rank)
}
