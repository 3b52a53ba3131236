//! The ECM API's wire types: what requests carry and answers say.

pub mod audit;
pub mod batch;
pub mod cases;
pub mod customer;
pub mod decisions;
pub mod envelope;
pub mod erasure;
pub mod events;
pub mod flow;
pub mod inbox;
pub mod locks;
pub mod narratives;
pub mod recommendations;
pub mod records;
pub mod suppression;
pub mod values;
