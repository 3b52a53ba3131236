//! user-action-service's configuration.

use envconfig::Envconfig;
use service_kit::auth::TokenPolicy;
use service_kit::{load_config, ConfigError};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

service_kit::own_database!(crate::NAME);

/// user-action-service's configuration.
#[derive(Debug, Clone, Envconfig)]
pub struct UserActionConfig {
    /// party-service's base URL; this process when unset.
    #[envconfig(from = "PARTY_SERVICE_URL")]
    pub party_service_url: Option<String>,
    /// document-service's base URL; this process when unset.
    #[envconfig(from = "DOCUMENT_SERVICE_URL")]
    pub document_service_url: Option<String>,
    /// case-service's base URL, for the retention purge's erasure of case
    /// customers; this process when unset.
    #[envconfig(from = "CASE_SERVICE_URL")]
    pub case_service_url: Option<String>,
    /// The registered apps, `KEY:SHA256-OF-SECRET[,...]`. When unset and all
    /// services run in one process, one app is generated and kept in
    /// `DATA_DIR/app-credentials`.
    #[envconfig(from = "USER_ACTION_APPS")]
    pub apps: Option<String>,
    /// The action catalog (JSON); the seed's four definitions when unset.
    #[envconfig(from = "USER_ACTION_CATALOG_FILE")]
    pub catalog_file: Option<PathBuf>,
    /// The largest uploadDocument body, in bytes.
    #[envconfig(from = "USER_ACTION_UPLOAD_MAX_BYTES", default = "16777216")]
    pub upload_max_bytes: usize,
    /// The most co-applicants one application may have beside its main
    /// applicant: each is a party with its own actions, so the count is
    /// bounded.
    #[envconfig(from = "USER_ACTION_MAX_CO_APPLICANTS", default = "10")]
    pub max_co_applicants: usize,
    /// The most documents one action may hold: getDocument answers them
    /// all, so their number is bounded.
    #[envconfig(from = "USER_ACTION_MAX_DOCUMENTS_PER_ACTION", default = "20")]
    pub max_documents_per_action: usize,
    /// The most bytes of documents (decoded) one application may hold, all
    /// its applicants' actions together.
    #[envconfig(from = "USER_ACTION_MAX_BYTES_PER_APPLICATION", default = "52428800")]
    pub max_bytes_per_application: u64,
    /// How many events a page of getAuditEvents holds when the request
    /// sends no `limit`: 1 to the most a page may hold (500).
    #[envconfig(from = "USER_ACTION_AUDIT_PAGE_SIZE", default = "100")]
    pub audit_page_size: i64,
    /// The token role that may set Reviewed and Rejected.
    #[envconfig(from = "USER_ACTION_REVIEWER_ROLE", default = "cam:review")]
    pub reviewer_role: String,
    /// The most bytes of rendered getUserActions answers kept in memory
    /// (0: none). Each is served only while its application is unchanged.
    #[envconfig(from = "USER_ACTION_LISTING_CACHE_BYTES", default = "67108864")]
    pub listing_cache_bytes: u64,
    /// The `aud` the CAM API's end-user tokens must carry: its own, so that
    /// a token for another API (ECM's, the console's) opens none of it.
    #[envconfig(from = "USER_ACTION_JWT_AUDIENCE", default = "onboarding-cam")]
    pub jwt_audience: String,
    /// The longest lifetime of an end-user token the CAM API accepts, in
    /// seconds from its `iat` to its `exp`. 1 to 86,400.
    #[envconfig(from = "USER_ACTION_JWT_MAX_LIFETIME_SECS", default = "3600")]
    pub jwt_max_lifetime_secs: u64,
    /// How long an Idempotency-Key is kept, in seconds from its claim: a
    /// repeat after that does the work again.
    #[envconfig(from = "USER_ACTION_IDEMPOTENCY_TTL_SECS", default = "86400")]
    pub idempotency_ttl_secs: u64,
    /// How long a claimed Idempotency-Key is held for its request, in
    /// seconds; longer than any request takes. An unanswered claim older
    /// than this (its process died) is taken over by a retry.
    #[envconfig(from = "USER_ACTION_IDEMPOTENCY_LEASE_SECS", default = "120")]
    pub idempotency_lease_secs: u64,
    /// How often the sweep looks for what a crash left behind, in seconds.
    #[envconfig(from = "USER_ACTION_SWEEP_INTERVAL_SECS", default = "60")]
    pub sweep_interval_secs: u64,
    /// How old a party or document made for a request that never recorded
    /// it must be before the sweep removes it, in seconds; longer than any
    /// request takes.
    #[envconfig(from = "USER_ACTION_SWEEP_GRACE_SECS", default = "900")]
    pub sweep_grace_secs: u64,
    /// How many days a Withdrawn or Rejected application is kept unchanged
    /// before the sweep erases its personal data (as `onboarding erase`
    /// does: case customers too, over `CASE_SERVICE_URL`); unset: never.
    /// 1 to 36,500.
    #[envconfig(from = "USER_ACTION_RETENTION_DAYS")]
    pub retention_days: Option<u64>,
}

impl UserActionConfig {
    /// Loads and checks the configuration.
    pub fn load(vars: Option<&HashMap<String, String>>) -> Result<Self, ConfigError> {
        let config: Self = load_config(vars)?;
        if config.upload_max_bytes < 1024 {
            return Err(ConfigError::invalid(
                "USER_ACTION_UPLOAD_MAX_BYTES",
                "must be at least 1024",
            ));
        }
        if config.max_documents_per_action == 0 {
            return Err(ConfigError::invalid(
                "USER_ACTION_MAX_DOCUMENTS_PER_ACTION",
                "must be at least 1",
            ));
        }
        if config.max_bytes_per_application == 0 {
            return Err(ConfigError::invalid(
                "USER_ACTION_MAX_BYTES_PER_APPLICATION",
                "must be at least 1",
            ));
        }
        if !(1..=crate::wire::MAX_AUDIT_PAGE).contains(&config.audit_page_size) {
            return Err(ConfigError::invalid(
                "USER_ACTION_AUDIT_PAGE_SIZE",
                format!("must be from 1 to {}", crate::wire::MAX_AUDIT_PAGE),
            ));
        }
        config.token_policy()?;
        for (name, value) in [
            (
                "USER_ACTION_IDEMPOTENCY_LEASE_SECS",
                config.idempotency_lease_secs,
            ),
            (
                "USER_ACTION_SWEEP_INTERVAL_SECS",
                config.sweep_interval_secs,
            ),
        ] {
            if value == 0 {
                return Err(ConfigError::invalid(name, "must be at least 1"));
            }
        }
        if config
            .retention_days
            .is_some_and(|days| !(1..=36_500).contains(&days))
        {
            return Err(ConfigError::invalid(
                "USER_ACTION_RETENTION_DAYS",
                "must be from 1 to 36500",
            ));
        }
        if config.idempotency_ttl_secs < config.idempotency_lease_secs {
            return Err(ConfigError::invalid(
                "USER_ACTION_IDEMPOTENCY_TTL_SECS",
                "must be at least USER_ACTION_IDEMPOTENCY_LEASE_SECS",
            ));
        }
        Ok(config)
    }

    /// How long a withdrawn or rejected application is kept unchanged
    /// before it is erased; never when `None`.
    pub fn retention(&self) -> Option<Duration> {
        self.retention_days
            .map(|days| Duration::from_secs(days * 86_400))
    }

    /// What the CAM API asks of end-user tokens.
    pub fn token_policy(&self) -> Result<TokenPolicy, ConfigError> {
        TokenPolicy::checked(
            "USER_ACTION_JWT_AUDIENCE",
            &self.jwt_audience,
            "USER_ACTION_JWT_MAX_LIFETIME_SECS",
            self.jwt_max_lifetime_secs,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_page_size_is_bounded() {
        for size in ["0", "501"] {
            let vars = HashMap::from([("USER_ACTION_AUDIT_PAGE_SIZE".to_owned(), size.to_owned())]);
            assert_eq!(
                UserActionConfig::load(Some(&vars)).unwrap_err().to_string(),
                "configuration: USER_ACTION_AUDIT_PAGE_SIZE must be from 1 to 500"
            );
        }
    }
}
