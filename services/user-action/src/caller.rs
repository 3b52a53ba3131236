//! Who is calling: the app (Fabric app credentials, `X-Kony-App-Key` and
//! `X-Kony-App-Secret`) and the end user (a signed token in
//! `X-Kony-Authorization` or `Authorization: Bearer`).
//!
//! A handler names [`Caller`] in its signature; the [`Authenticator`] that
//! checks it is the scope's own app data, apart from the handlers' state.
//! App secrets are kept only as SHA-256 digests (they are long random
//! values, so a plain digest is enough) and compared in constant time.

use crate::error::{CamError, ErrorCode};
use actix_web::dev::{Payload, ServiceRequest};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use service_kit::auth::TokenVerifier;
use service_kit::config::local_secret_file;
use service_kit::limit::Client;
use service_kit::server::Context;
use service_kit::ConfigError;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::future::{ready, Ready};
use subtle::ConstantTimeEq;

/// The registered apps: key → SHA-256 of the secret.
#[derive(Debug, Clone, Default)]
pub struct Apps(HashMap<String, [u8; 32]>);

impl Apps {
    /// Parses `KEY:SHA256HEX[,KEY:SHA256HEX...]`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut apps = HashMap::new();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (key, digest) = entry
                .split_once(':')
                .ok_or("entries must be KEY:SHA256HEX")?;
            let bytes = hex::decode(digest.trim())
                .map_err(|_| format!("the digest of {key} is not hex"))?;
            let digest: [u8; 32] = bytes
                .try_into()
                .map_err(|_| format!("the digest of {key} is not 32 bytes"))?;
            if key.trim().is_empty() {
                return Err("an app key is empty".to_owned());
            }
            apps.insert(key.trim().to_owned(), digest);
        }
        if apps.is_empty() {
            return Err("must register at least one app".to_owned());
        }
        Ok(Self(apps))
    }

    /// One app with a plain secret (for generated development credentials).
    pub fn single(key: &str, secret: &str) -> Self {
        Self(HashMap::from([(
            key.to_owned(),
            Sha256::digest(secret.as_bytes()).into(),
        )]))
    }

    /// The registered apps: `configured` (`USER_ACTION_APPS`), or for a
    /// standalone run one app generated and kept in
    /// `DATA_DIR/`[`APP_CREDENTIALS_FILE`](crate::APP_CREDENTIALS_FILE).
    pub fn configured(ctx: &Context, configured: Option<&str>) -> Result<Self, ConfigError> {
        if let Some(text) = configured {
            return Self::parse(text).map_err(|why| ConfigError::invalid("USER_ACTION_APPS", why));
        }
        if !ctx.standalone {
            return Err(ConfigError::invalid(
                "USER_ACTION_APPS",
                "is required when services run in separate processes",
            ));
        }
        let text = local_secret_file(
            &ctx.config,
            "USER_ACTION_APPS",
            crate::APP_CREDENTIALS_FILE,
            |secret| format!("{APP_KEY}: onboarding-dev-app\n{APP_SECRET}: {secret}\n"),
        )?;
        let value = |name| credentials_file_value(&text, name).unwrap_or_default();
        Ok(Self::single(value(APP_KEY), value(APP_SECRET)))
    }

    fn verify(&self, key: &str, secret: &str) -> bool {
        let presented: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        self.0
            .get(key)
            .is_some_and(|expected| bool::from(expected.ct_eq(&presented)))
    }
}

/// The header naming the calling app.
pub const APP_KEY: &str = "X-Kony-App-Key";
/// The header carrying the app's secret.
pub const APP_SECRET: &str = "X-Kony-App-Secret";

/// The value of header `name` ([`APP_KEY`] or [`APP_SECRET`]) in a
/// generated app credentials file: `Name: value` lines, as `curl -H @file`
/// reads them. `None` when the file has no such line.
pub fn credentials_file_value<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .map(str::trim)
}

/// The end user behind a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's subject: who owns what this request creates.
    pub subject: String,
    /// The token's roles.
    pub roles: Vec<String>,
}

impl FromRequest for Caller {
    type Error = CamError;
    type Future = Ready<Result<Self, CamError>>;

    /// The caller the rate limiter already checked, or else checked now.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let authenticator = req
            .app_data::<web::Data<Authenticator>>()
            .ok_or_else(|| CamError::internal(anyhow::anyhow!("no authenticator registered")));
        ready(authenticator.and_then(|authenticator| authenticator.authenticate(req)))
    }
}

/// Checks who is calling: the registered apps and the end-user tokens.
pub struct Authenticator {
    /// The registered apps.
    pub apps: Apps,
    /// Verifies end-user tokens.
    pub tokens: TokenVerifier,
}

impl Authenticator {
    /// Checks the app credentials and the end-user token, once per request:
    /// a caller already checked (by the rate limiter) is taken as it is.
    pub fn authenticate(&self, req: &HttpRequest) -> Result<Caller, CamError> {
        if let Some(caller) = req.extensions().get::<Caller>() {
            return Ok(caller.clone());
        }
        let app_ok = match (header(req, APP_KEY), header(req, APP_SECRET)) {
            (Some(key), Some(secret)) => self.apps.verify(key, secret),
            _ => false,
        };
        if !app_ok {
            return Err(CamError::new(
                ErrorCode::AppUnauthenticated,
                "X-Kony-App-Key, X-Kony-App-Secret: must name a registered app",
            ));
        }
        let refused = || {
            CamError::new(
                ErrorCode::UserUnauthenticated,
                "X-Kony-Authorization: a valid end-user token is required",
            )
        };
        let claims = self
            .tokens
            .verify(user_token(req).ok_or_else(refused)?)
            .map_err(|_| refused())?;
        Ok(Caller {
            subject: claims.sub,
            roles: claims.roles,
        })
    }

    /// The client a request proves to be, for rate limiting: the end user
    /// once the app's key and secret and the token check (that caller is
    /// kept in the request, so that it is not checked again), the app alone
    /// when only its credentials check, and otherwise none (the peer
    /// address).
    pub fn rate_limit_client(&self, req: &ServiceRequest) -> Option<Client> {
        match self.authenticate(req.request()) {
            Ok(caller) => {
                let client = Client::Subject(caller.subject.clone());
                req.extensions_mut().insert(caller);
                Some(client)
            }
            Err(refused) if refused.code() == ErrorCode::UserUnauthenticated => {
                header(req.request(), "X-Kony-App-Key").map(|key| Client::App(key.to_owned()))
            }
            Err(_) => None,
        }
    }
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The end-user token: `X-Kony-Authorization` (with or without `Bearer `)
/// or `Authorization: Bearer`.
fn user_token(req: &HttpRequest) -> Option<&str> {
    header(req, "X-Kony-Authorization")
        .map(|v| v.strip_prefix("Bearer ").unwrap_or(v))
        .or_else(|| header(req, "Authorization").and_then(|v| v.strip_prefix("Bearer ")))
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_secrets_are_checked_against_their_digest() {
        let digest = hex::encode(Sha256::digest(b"s3cret"));
        let apps = Apps::parse(&format!("web:{digest}, mobile:{digest}")).expect("apps");
        assert!(apps.verify("web", "s3cret") && apps.verify("mobile", "s3cret"));
        assert!(!apps.verify("web", "guess") && !apps.verify("desktop", "s3cret"));
        assert!(Apps::parse("web").is_err());
        assert!(Apps::parse("web:zz").is_err());
        assert!(Apps::parse("").is_err());
    }
}
