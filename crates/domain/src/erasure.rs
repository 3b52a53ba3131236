//! Erasure (issue 17, "Retention and erasure"): what an erased personal
//! value is replaced with where the record itself is kept (the application
//! and case skeletons, the audit trails).

/// The one tombstone: an erased text value that must stay present (a name,
/// an answer, an audit value) reads as this; an erased optional value
/// that is not a name (a date, a code, a number) is removed (NULL).
pub const ERASED: &str = "[erased]";
