//! How the dispatcher works: its poll interval, concurrency, lease, backoff
//! and retry window, from `OUTBOX_*` variables shared by every sending
//! service of a process.

use envconfig::Envconfig;
use service_kit::{load_config, ConfigError};
use std::collections::HashMap;
use std::time::Duration;

/// The variables, as read.
#[derive(Debug, Clone, Envconfig)]
struct Vars {
    #[envconfig(from = "OUTBOX_POLL_INTERVAL_MS", default = "1000")]
    poll_interval_ms: u64,
    #[envconfig(from = "OUTBOX_CONCURRENCY", default = "64")]
    concurrency: usize,
    #[envconfig(from = "OUTBOX_LEASE_SECS", default = "60")]
    lease_secs: u64,
    #[envconfig(from = "OUTBOX_BACKOFF_MIN_MS", default = "1000")]
    backoff_min_ms: u64,
    #[envconfig(from = "OUTBOX_BACKOFF_MAX_SECS", default = "3600")]
    backoff_max_secs: u64,
    #[envconfig(from = "OUTBOX_RETRY_HOURS", default = "25")]
    retry_hours: u64,
}

/// The dispatcher's settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How often it looks for work without being woken
    /// (`OUTBOX_POLL_INTERVAL_MS`, 1 s): the safety net under the wake-up,
    /// and when due retries and expired leases are found.
    pub poll_interval: Duration,
    /// How many deliveries it sends at once, each to a different
    /// (destination, aggregate) (`OUTBOX_CONCURRENCY`, 64).
    pub concurrency: usize,
    /// How long a claimed delivery is its dispatcher's before another may
    /// take it over (`OUTBOX_LEASE_SECS`, 60 s): longer than any delivery
    /// takes.
    pub lease: Duration,
    /// The first retry's delay (`OUTBOX_BACKOFF_MIN_MS`, 1 s), doubling
    /// with each failure...
    pub backoff_min: Duration,
    /// ... up to this (`OUTBOX_BACKOFF_MAX_SECS`, an hour).
    pub backoff_max: Duration,
    /// How long a destination that gives up (a webhook) is retried, from
    /// the event's first delivery (`OUTBOX_RETRY_HOURS`, 25: at least a
    /// day, as SPEC §D asks).
    pub retry_window: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(1),
            concurrency: 64,
            lease: Duration::from_secs(60),
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(3600),
            retry_window: Duration::from_secs(25 * 3600),
        }
    }
}

impl Settings {
    /// Reads and checks the `OUTBOX_*` variables of `vars` (the
    /// environment when `None`).
    pub fn load(vars: Option<&HashMap<String, String>>) -> Result<Self, ConfigError> {
        let vars: Vars = load_config(vars)?;
        for (name, value, low, high) in [
            ("OUTBOX_POLL_INTERVAL_MS", vars.poll_interval_ms, 10, 60_000),
            ("OUTBOX_CONCURRENCY", vars.concurrency as u64, 1, 1024),
            ("OUTBOX_LEASE_SECS", vars.lease_secs, 1, 3600),
            ("OUTBOX_BACKOFF_MIN_MS", vars.backoff_min_ms, 1, 3_600_000),
            ("OUTBOX_BACKOFF_MAX_SECS", vars.backoff_max_secs, 1, 86_400),
            ("OUTBOX_RETRY_HOURS", vars.retry_hours, 24, 720),
        ] {
            if !(low..=high).contains(&value) {
                return Err(ConfigError::invalid(
                    name,
                    format!("must be from {low} to {high}"),
                ));
            }
        }
        if vars.backoff_max_secs * 1000 < vars.backoff_min_ms {
            return Err(ConfigError::invalid(
                "OUTBOX_BACKOFF_MAX_SECS",
                "must be at least OUTBOX_BACKOFF_MIN_MS",
            ));
        }
        Ok(Self {
            poll_interval: Duration::from_millis(vars.poll_interval_ms),
            concurrency: vars.concurrency,
            lease: Duration::from_secs(vars.lease_secs),
            backoff_min: Duration::from_millis(vars.backoff_min_ms),
            backoff_max: Duration::from_secs(vars.backoff_max_secs),
            retry_window: Duration::from_secs(vars.retry_hours * 3600),
        })
    }

    /// The delay before the attempt after `failures` failures (1 or more):
    /// the minimum doubled for each failure after the first, capped at the
    /// maximum, then a random part of its second half taken off (jitter),
    /// so that the deliveries of one outage do not all come back at once.
    pub fn backoff(&self, failures: i32) -> Duration {
        let doublings = failures.saturating_sub(1).clamp(0, 30) as u32;
        let full = self
            .backoff_min
            .saturating_mul(1u32 << doublings)
            .min(self.backoff_max);
        let jitter: f64 = rand::random::<f64>() * 0.5;
        full.mul_f64(1.0 - jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_and_bounds_name_the_variable() {
        let settings = Settings::load(Some(&vars(&[]))).unwrap();
        assert_eq!(settings.retry_window, Duration::from_secs(25 * 3600));
        assert_eq!(settings.poll_interval, Duration::from_secs(1));
        for (name, bad, why) in [
            ("OUTBOX_RETRY_HOURS", "23", "must be from 24 to 720"),
            ("OUTBOX_CONCURRENCY", "0", "must be from 1 to 1024"),
            ("OUTBOX_POLL_INTERVAL_MS", "5", "must be from 10 to 60000"),
        ] {
            assert_eq!(
                Settings::load(Some(&vars(&[(name, bad)])))
                    .unwrap_err()
                    .to_string(),
                format!("configuration: {name} {why}")
            );
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let settings = Settings::default();
        for (failures, full) in [(1, 1), (2, 2), (3, 4), (12, 2048), (13, 3600), (99, 3600)] {
            let delay = settings.backoff(failures);
            let full = Duration::from_secs(full);
            assert!(
                delay <= full && delay >= full / 2,
                "{failures}: {delay:?} of {full:?}"
            );
        }
    }
}
