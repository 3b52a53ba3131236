//! case-service's configuration.

use crate::wire::values::Number;
use envconfig::Envconfig;
use rust_decimal::Decimal;
use service_kit::auth::TokenPolicy;
use service_kit::{load_config, ConfigError};
use std::collections::HashMap;

service_kit::own_database!(crate::NAME);

/// The longest a case lock may last (a day): a forgotten lock must not
/// keep a case from its other analysts for long.
const MAX_LOCK_SECONDS: u32 = 86_400;

/// case-service's configuration, from the environment.
#[derive(Debug, Clone, Envconfig)]
pub struct CaseConfig {
    /// party-service's base URL; by default this process (all services in
    /// one process).
    #[envconfig(from = "PARTY_SERVICE_URL")]
    pub party_service_url: Option<String>,
    /// user-action-service's base URL, where the bank's decisions go; by
    /// default this process.
    #[envconfig(from = "USER_ACTION_SERVICE_URL")]
    pub user_action_service_url: Option<String>,
    /// The most parts (customers, accounts, external entities,
    /// transactions) one batch request may carry, over all its cases; more
    /// is refused with a 413.
    #[envconfig(from = "CASE_MAX_CUSTOMERS_PER_REQUEST", default = "1000")]
    pub max_customers_per_request: usize,
    /// The largest request body accepted, in bytes; more is refused with a
    /// 413 before it is read.
    #[envconfig(from = "CASE_MAX_BODY_BYTES", default = "8388608")]
    pub max_body_bytes: usize,
    /// The most business records one request of the internal bulk API may
    /// carry; more is refused with a 413.
    #[envconfig(from = "CASE_MAX_BUSINESS_RECORDS_PER_REQUEST", default = "10000")]
    pub max_business_records_per_request: usize,
    /// The largest body of the internal bulk API, in bytes; more is refused
    /// with a 413 before it is read.
    #[envconfig(from = "CASE_MAX_BUSINESS_BODY_BYTES", default = "33554432")]
    pub max_business_body_bytes: usize,
    /// How many days after its promotion from events a case is due (1 to
    /// 3650).
    #[envconfig(from = "CASE_DUE_DAYS", default = "30")]
    pub due_days: u32,
    /// How long a case lock lasts, in seconds, from when it is taken or
    /// last renewed; it then expires by itself. 1 to 86,400.
    #[envconfig(from = "CASE_LOCK_SECONDS", default = "900")]
    pub lock_seconds: u32,
    /// The `aud` the ECM API's bearer tokens must carry: its own, so that a
    /// token for another API (CAM's, the console's) opens none of it.
    #[envconfig(from = "CASE_JWT_AUDIENCE", default = "onboarding-ecm")]
    pub jwt_audience: String,
    /// The longest lifetime of a bearer token the ECM API accepts, in
    /// seconds from its `iat` to its `exp`. 1 to 86,400.
    #[envconfig(from = "CASE_JWT_MAX_LIFETIME_SECS", default = "3600")]
    pub jwt_max_lifetime_secs: u64,
    /// Four eyes: from which effective risk (a decimal, compared with the
    /// highest `effectiveRisk` of a case's customers) setting a case to
    /// `APR` or `REJ` needs another case worker's recommendation. Unset:
    /// four eyes is off.
    #[envconfig(from = "CASE_FOUR_EYES_RISK_THRESHOLD")]
    pub four_eyes_risk_threshold: Option<String>,
}

/// The most days a case may be given to be due: ten years.
const MAX_DUE_DAYS: u32 = 3650;

impl CaseConfig {
    /// Loads and checks the configuration from `vars` (the environment when
    /// `None`).
    pub fn load(vars: Option<&HashMap<String, String>>) -> Result<Self, ConfigError> {
        let config: Self = load_config(vars)?;
        let at_least = |variable: &str, value: usize, min: usize| {
            if value < min {
                Err(ConfigError::invalid(
                    variable,
                    format!("must be at least {min}"),
                ))
            } else {
                Ok(())
            }
        };
        at_least(
            "CASE_MAX_CUSTOMERS_PER_REQUEST",
            config.max_customers_per_request,
            1,
        )?;
        at_least("CASE_MAX_BODY_BYTES", config.max_body_bytes, 1024)?;
        at_least(
            "CASE_MAX_BUSINESS_RECORDS_PER_REQUEST",
            config.max_business_records_per_request,
            1,
        )?;
        at_least(
            "CASE_MAX_BUSINESS_BODY_BYTES",
            config.max_business_body_bytes,
            1024,
        )?;
        if !(1..=MAX_DUE_DAYS).contains(&config.due_days) {
            return Err(ConfigError::invalid(
                "CASE_DUE_DAYS",
                format!("must be from 1 to {MAX_DUE_DAYS}"),
            ));
        }
        if !(1..=MAX_LOCK_SECONDS).contains(&config.lock_seconds) {
            return Err(ConfigError::invalid(
                "CASE_LOCK_SECONDS",
                format!("must be from 1 to {MAX_LOCK_SECONDS}"),
            ));
        }
        for (variable, url) in [
            ("PARTY_SERVICE_URL", &config.party_service_url),
            ("USER_ACTION_SERVICE_URL", &config.user_action_service_url),
        ] {
            if let Some(url) = url {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(ConfigError::invalid(
                        variable,
                        "must start with http:// or https://",
                    ));
                }
            }
        }
        config.token_policy()?;
        config.four_eyes_threshold()?;
        Ok(config)
    }

    /// The four eyes threshold, `None` when unset; a value that is not a
    /// decimal number is refused naming the variable.
    pub fn four_eyes_threshold(&self) -> Result<Option<Decimal>, ConfigError> {
        self.four_eyes_risk_threshold
            .as_deref()
            .map(|text| {
                Number::parse(text.trim())
                    .map(|n| *n.as_decimal())
                    .map_err(|_| {
                        ConfigError::invalid(
                            "CASE_FOUR_EYES_RISK_THRESHOLD",
                            "must be a decimal number (as 70 or 62.5)",
                        )
                    })
            })
            .transpose()
    }

    /// What the ECM API asks of bearer tokens.
    pub fn token_policy(&self) -> Result<TokenPolicy, ConfigError> {
        TokenPolicy::checked(
            "CASE_JWT_AUDIENCE",
            &self.jwt_audience,
            "CASE_JWT_MAX_LIFETIME_SECS",
            self.jwt_max_lifetime_secs,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(pairs: &[(&str, &str)]) -> Result<CaseConfig, String> {
        let vars = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        CaseConfig::load(Some(&vars)).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_and_bad_values() {
        let config = load(&[]).expect("defaults");
        assert_eq!(
            (
                config.max_customers_per_request,
                config.max_body_bytes,
                config.due_days
            ),
            (1000, 8 * 1024 * 1024, 30)
        );
        assert_eq!(
            load(&[("CASE_DUE_DAYS", "0")]).unwrap_err(),
            "configuration: CASE_DUE_DAYS must be from 1 to 3650"
        );
        assert_eq!(
            load(&[("CASE_MAX_CUSTOMERS_PER_REQUEST", "0")]).unwrap_err(),
            "configuration: CASE_MAX_CUSTOMERS_PER_REQUEST must be at least 1"
        );
        assert_eq!(
            load(&[("CASE_LOCK_SECONDS", "0")]).unwrap_err(),
            "configuration: CASE_LOCK_SECONDS must be from 1 to 86400"
        );
        assert_eq!(config.lock_seconds, 900);
        assert_eq!(
            config.token_policy().expect("policy"),
            TokenPolicy {
                audience: "onboarding-ecm".into(),
                max_lifetime_secs: 3600
            }
        );
        assert_eq!(
            load(&[("CASE_JWT_MAX_LIFETIME_SECS", "0")]).unwrap_err(),
            "configuration: CASE_JWT_MAX_LIFETIME_SECS must be from 1 to 86400"
        );
        assert_eq!(config.four_eyes_threshold().expect("unset"), None);
        assert_eq!(
            load(&[("CASE_FOUR_EYES_RISK_THRESHOLD", " 62.50 ")])
                .expect("a decimal")
                .four_eyes_threshold()
                .expect("parses")
                .map(|d| d.to_string()),
            Some("62.50".to_owned())
        );
        for bad in ["high", "", "1e400", "NaN"] {
            assert_eq!(
                load(&[("CASE_FOUR_EYES_RISK_THRESHOLD", bad)]).unwrap_err(),
                "configuration: CASE_FOUR_EYES_RISK_THRESHOLD must be a decimal number (as 70 or 62.5)"
            );
        }
        assert_eq!(
            load(&[("PARTY_SERVICE_URL", "party:8080")]).unwrap_err(),
            "configuration: PARTY_SERVICE_URL must start with http:// or https://"
        );
    }
}
