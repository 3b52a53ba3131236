//! What the root integration tests share.
#![allow(dead_code)]

pub mod applicant;
pub mod cam;
pub mod case_checks;
pub mod ecm;
pub mod flow;
pub mod flow_db;
pub mod hostile;
pub mod load;
pub mod process;
