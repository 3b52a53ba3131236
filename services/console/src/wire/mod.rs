//! What the console's forms send, and the roles it knows.

pub mod applications;
pub mod auth;
pub mod cases;

/// The roles the console knows, with what each lets its holder do, in the
/// order the pages list them.
pub const ROLES: [(&str, &str); 3] = [
    ("case:read", "Read cases"),
    ("case:write", "Work on cases: assign, lock, decide"),
    (
        "application:read",
        "Relationship manager: read applications",
    ),
];
