//! The ECM API's wire types: what requests carry and answers say.

pub mod batch;
pub mod customer;
pub mod envelope;
pub mod reads;
pub mod request;
pub mod values;
