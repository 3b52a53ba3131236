//! party-service's configuration: its own database, whose variables the
//! chassis reads. It has no setting of its own.

service_kit::own_database!(crate::NAME);
