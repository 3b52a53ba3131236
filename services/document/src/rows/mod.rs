//! The rows document metadata is stored as, and their conversion to the
//! wire types: one file per table.

pub mod documents;
