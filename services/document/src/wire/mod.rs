//! The document API's wire types: what requests carry and answers say.

pub mod documents;
