//! Per-client rate limiting: a token bucket (GCRA, from `governor`) per
//! client, checked before a request reaches its handler.
//!
//! A client is who the request proves to be when that proof is cheap to
//! check before the handler runs (the internal credential, a CAM app's key
//! and secret, a bearer token's subject), and its peer address otherwise.
//! Each API identifies its own clients (see [`rate_limit`]) and refuses in
//! its own envelope: its error type converts a [`RateLimited`]; the
//! `Retry-After` header is added here, once for every API.

use crate::config::ServerConfig;
use crate::error::RateLimited;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Weak};
use std::time::Duration;

/// Who a request comes from, for rate limiting.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Client {
    /// A holder of the internal service credential (a peer service).
    Internal,
    /// A registered CAM app, by its verified key (a request of the app
    /// without a valid end-user token).
    App(String),
    /// A bearer token's verified subject.
    Subject(String),
    /// Anyone else, by the address the connection comes from.
    Peer(IpAddr),
}

/// The buckets of every client, shared by every service in the process
/// (so a client has one allowance however many APIs it calls).
pub struct RateLimiter {
    /// External clients: apps, subjects and peer addresses.
    clients: DefaultKeyedRateLimiter<Client>,
    /// Peer services: a quota of their own, as their calls are made on
    /// behalf of many external clients at once.
    internal: DefaultKeyedRateLimiter<Client>,
}

/// How often buckets that have refilled completely are forgotten, so that
/// a stream of new peer addresses cannot grow memory without bound.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

impl RateLimiter {
    /// The limiter the configuration describes, or `None` when rate
    /// limiting is off. Must be called within a Tokio runtime, where a task
    /// prunes full buckets until the limiter is dropped.
    pub fn from_config(config: &ServerConfig) -> Option<Arc<Self>> {
        if !config.rate_limit_enabled {
            return None;
        }
        let quota = |per_second: NonZeroU32, burst: NonZeroU32| {
            DefaultKeyedRateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst))
        };
        let limiter = Arc::new(Self {
            clients: quota(config.rate_limit_per_second, config.rate_limit_burst),
            internal: quota(
                config.rate_limit_internal_per_second,
                config.rate_limit_internal_per_second,
            ),
        });
        tokio::spawn(prune(Arc::downgrade(&limiter)));
        Some(limiter)
    }

    /// Takes one request from `client`'s bucket.
    pub fn check(&self, client: &Client) -> Result<(), RateLimited> {
        let limiter = match client {
            Client::Internal => &self.internal,
            _ => &self.clients,
        };
        limiter.check_key(client).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            RateLimited {
                retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
            }
        })
    }
}

async fn prune(limiter: Weak<RateLimiter>) {
    let mut interval = tokio::time::interval(PRUNE_EVERY);
    interval.tick().await;
    loop {
        interval.tick().await;
        let Some(limiter) = limiter.upgrade() else {
            return;
        };
        for buckets in [&limiter.clients, &limiter.internal] {
            buckets.retain_recent();
            buckets.shrink_to_fit();
        }
    }
}

/// Middleware body: refuses a request whose client has used its allowance,
/// with `E`'s envelope (E being the API's one error type) and
/// `Retry-After` (refusals are counted with every other answer, status 429,
/// by the access metrics). `identify` names the client when the request proves who
/// it is; otherwise the peer address counts. Does nothing (and does not
/// call `identify`) when rate limiting is off.
///
/// ```ignore
/// scope.wrap(from_fn(|req, next| rate_limit::<MyError, _>(req, next, |_| None)))
/// ```
pub async fn rate_limit<E, B>(
    req: ServiceRequest,
    next: Next<B>,
    identify: impl FnOnce(&ServiceRequest) -> Option<Client>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error>
where
    E: ResponseError + From<RateLimited> + 'static,
    B: MessageBody,
{
    if let Some(limiter) = req.app_data::<web::Data<RateLimiter>>() {
        let client = identify(&req).or_else(|| req.peer_addr().map(|a| Client::Peer(a.ip())));
        if let Some(Err(limited)) = client.map(|c| limiter.check(&c)) {
            let mut response = req.error_response(E::from(limited));
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(limited.retry_after_secs));
            return Ok(response.map_into_right_body());
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// [`rate_limit`] for the internal (problem+json) APIs: a request with the
/// internal credential counts against the internal quota, any other against
/// its peer address (and is then refused by the credential check).
pub async fn rate_limit_internal<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    rate_limit::<crate::ProblemError, B>(req, next, |req| {
        crate::auth::presents_internal_credential(req.request()).then_some(Client::Internal)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn limiter(pairs: &[(&str, &str)]) -> Option<Arc<RateLimiter>> {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        RateLimiter::from_config(&ServerConfig::load(Some(&vars)).expect("config"))
    }

    #[tokio::test]
    async fn each_client_has_its_own_bucket_and_internal_its_own_quota() {
        let limiter = limiter(&[
            ("RATE_LIMIT_PER_SECOND", "1"),
            ("RATE_LIMIT_BURST", "2"),
            ("RATE_LIMIT_INTERNAL_PER_SECOND", "3"),
        ])
        .expect("on by default");
        let app = Client::App("web".into());
        assert_eq!(limiter.check(&app), Ok(()));
        assert_eq!(limiter.check(&app), Ok(()));
        assert_eq!(
            limiter.check(&app),
            Err(RateLimited {
                retry_after_secs: 1
            })
        );
        assert_eq!(limiter.check(&Client::App("mobile".into())), Ok(()));
        for _ in 0..3 {
            assert_eq!(limiter.check(&Client::Internal), Ok(()));
        }
        assert!(limiter.check(&Client::Internal).is_err());
    }

    #[tokio::test]
    async fn off_means_no_limiter() {
        assert!(limiter(&[("RATE_LIMIT_ENABLED", "false")]).is_none());
    }
}
