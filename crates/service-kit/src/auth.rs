//! Authentication: the internal service credential that internal APIs
//! require, and verification of signed end-user tokens (JWT).

use crate::config::{ConfigError, Secret, ServerConfig};
use crate::error::ProblemError;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::Payload;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpRequest};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::future::{ready, Ready};
use subtle::ConstantTimeEq;

/// The header that carries the internal service credential.
pub const CREDENTIAL_HEADER: &str = "X-Service-Credential";

/// The credential services present to each other's internal APIs.
#[derive(Clone, Debug)]
pub struct InternalCredential(Secret);

impl InternalCredential {
    /// Wraps the configured credential.
    pub fn new(secret: Secret) -> Self {
        Self(secret)
    }

    /// The credential, to send on an internal call.
    pub fn secret(&self) -> &Secret {
        &self.0
    }

    /// Compares a presented value in constant time.
    pub fn matches(&self, presented: &[u8]) -> bool {
        self.0.expose().as_bytes().ct_eq(presented).into()
    }
}

/// Whether the request carries the right `X-Service-Credential`.
pub fn presents_internal_credential(req: &HttpRequest) -> bool {
    match req.app_data::<web::Data<InternalCredential>>() {
        Some(credential) => req
            .headers()
            .get(CREDENTIAL_HEADER)
            .is_some_and(|value| credential.matches(value.as_bytes())),
        None => false,
    }
}

/// Middleware for internal scopes: refuses (401, problem+json) a request
/// without the right `X-Service-Credential`.
pub async fn require_internal_credential<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    if presents_internal_credential(req.request()) {
        next.call(req)
            .await
            .map(ServiceResponse::map_into_left_body)
    } else {
        Ok(req
            .error_response(ProblemError::Unauthorized)
            .map_into_right_body())
    }
}

/// The authenticated caller of an internal API: a peer service that
/// presented the internal credential. The scope's middleware
/// ([`require_internal_credential`]) refuses anyone else before routing, so
/// that a stranger learns nothing of which paths exist; as an extractor it
/// states in each handler's signature who may call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InternalPeer;

impl FromRequest for InternalPeer {
    type Error = ProblemError;
    type Future = Ready<Result<Self, ProblemError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(if presents_internal_credential(req) {
            Ok(InternalPeer)
        } else {
            Err(ProblemError::Unauthorized)
        })
    }
}

/// The claims of an end-user token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The end user (or, for case tools, the operator) the token identifies.
    pub sub: String,
    /// The issuer.
    pub iss: String,
    /// The audience.
    pub aud: String,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at, seconds since the epoch.
    pub exp: i64,
    /// What the bearer may do, for example `case:write`.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// Why a token was refused. Deliberately coarse: callers learn no more than
/// that the token is not acceptable.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// No verification key is configured, so no token can be accepted.
    #[error("end-user tokens are not configured")]
    NotConfigured,
    /// The token is malformed, badly signed, expired or for someone else.
    #[error("the token is not valid")]
    Invalid,
}

/// Verifies end-user tokens: HS256 with a shared secret in development, RS256
/// with the identity provider's public key in production.
#[derive(Clone)]
pub struct TokenVerifier {
    key: Option<(DecodingKey, Validation)>,
    /// Tokens already verified, with their claims. A front end sends the
    /// same token with every request until it expires, and decoding and
    /// checking its signature was a tenth of a cached read's cost. The token
    /// text is what was signed, so the same text verifies the same way until
    /// its expiry, which is checked again on every hit; keys change only
    /// with a restart, which empties the cache.
    verified: std::sync::Arc<quick_cache::sync::Cache<String, Claims>>,
}

/// How many verified tokens are remembered.
const VERIFIED_TOKENS: usize = 4096;

impl TokenVerifier {
    /// Builds the verifier the configuration describes. RS256 wins when both
    /// keys are configured.
    pub fn from_config(config: &ServerConfig) -> Result<Self, ConfigError> {
        let (key, algorithm) = if let Some(path) = &config.jwt_rs256_public_key_file {
            let pem = std::fs::read(path).map_err(|e| {
                ConfigError::invalid("JWT_RS256_PUBLIC_KEY_FILE", format!("cannot be read: {e}"))
            })?;
            let key = DecodingKey::from_rsa_pem(&pem).map_err(|_| {
                ConfigError::invalid(
                    "JWT_RS256_PUBLIC_KEY_FILE",
                    "is not an RSA public key in PEM",
                )
            })?;
            (key, Algorithm::RS256)
        } else if let Some(secret) = &config.jwt_hs256_secret {
            (
                DecodingKey::from_secret(secret.expose().as_bytes()),
                Algorithm::HS256,
            )
        } else {
            return Ok(Self {
                key: None,
                verified: std::sync::Arc::new(quick_cache::sync::Cache::new(1)),
            });
        };
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[&config.jwt_issuer]);
        validation.set_audience(&[&config.jwt_audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 30;
        Ok(Self {
            key: Some((key, validation)),
            verified: std::sync::Arc::new(quick_cache::sync::Cache::new(VERIFIED_TOKENS)),
        })
    }

    /// Verifies a token and returns its claims.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let (key, validation) = self.key.as_ref().ok_or(TokenError::NotConfigured)?;
        if let Some(claims) = self.verified.get(token) {
            // jsonwebtoken's own expiry rule, with the same leeway.
            let now = jsonwebtoken::get_current_timestamp();
            if claims.exp.saturating_add(validation.leeway as i64) >= now as i64 {
                return Ok(claims);
            }
            self.verified.remove(token);
            return Err(TokenError::Invalid);
        }
        let claims = jsonwebtoken::decode::<Claims>(token, key, validation)
            .map(|data| data.claims)
            .map_err(|_| TokenError::Invalid)?;
        self.verified.insert(token.to_owned(), claims.clone());
        Ok(claims)
    }
}

/// Mints an HS256 token for development. Refused unless `DEV_MODE` is on and
/// `JWT_HS256_SECRET` is set.
pub fn mint_dev_token(
    config: &ServerConfig,
    subject: &str,
    roles: &[String],
    ttl_secs: i64,
) -> Result<String, ConfigError> {
    if !config.dev_mode {
        return Err(ConfigError::invalid(
            "DEV_MODE",
            "must be true to mint development tokens",
        ));
    }
    let secret = config.jwt_hs256_secret.as_ref().ok_or_else(|| {
        ConfigError::invalid("JWT_HS256_SECRET", "must be set to mint development tokens")
    })?;
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        sub: subject.to_owned(),
        iss: config.jwt_issuer.clone(),
        aud: config.jwt_audience.clone(),
        iat: now,
        exp: now + ttl_secs,
        roles: roles.to_vec(),
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.expose().as_bytes()),
    )
    .map_err(|e| ConfigError::invalid("JWT_HS256_SECRET", format!("could not sign: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> ServerConfig {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ServerConfig::load(Some(&vars)).expect("config")
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn minted_tokens_verify_and_tampered_ones_do_not() {
        let config = config(&[("DEV_MODE", "true"), ("JWT_HS256_SECRET", SECRET)]);
        let token = mint_dev_token(&config, "user-1", &["case:read".into()], 60).expect("mint");
        let verifier = TokenVerifier::from_config(&config).expect("verifier");
        let claims = verifier.verify(&token).expect("valid");
        assert_eq!(
            (claims.sub.as_str(), claims.roles),
            ("user-1", vec!["case:read".to_owned()])
        );
        let mut tampered = token.clone();
        tampered.pop();
        assert!(matches!(
            verifier.verify(&tampered),
            Err(TokenError::Invalid)
        ));
        let expired = mint_dev_token(&config, "user-1", &[], -120).expect("mint");
        assert!(matches!(
            verifier.verify(&expired),
            Err(TokenError::Invalid)
        ));
    }

    #[test]
    fn remembered_tokens_still_expire() {
        let config = config(&[("DEV_MODE", "true"), ("JWT_HS256_SECRET", SECRET)]);
        let token = mint_dev_token(&config, "user-1", &[], 60).expect("mint");
        let verifier = TokenVerifier::from_config(&config).expect("verifier");
        let first = verifier.verify(&token).expect("valid");
        assert_eq!(verifier.verify(&token).expect("remembered"), first);
        // The same token, remembered, once its expiry (and the leeway) passed.
        let now = jsonwebtoken::get_current_timestamp() as i64;
        let lapsed = Claims {
            exp: now - 31,
            ..first
        };
        verifier.verified.insert(token.clone(), lapsed);
        assert!(matches!(verifier.verify(&token), Err(TokenError::Invalid)));
        assert!(verifier.verified.get(&token).is_none());
    }

    #[test]
    fn tokens_from_another_issuer_are_refused() {
        let ours = config(&[("JWT_HS256_SECRET", SECRET)]);
        let theirs = config(&[
            ("DEV_MODE", "true"),
            ("JWT_HS256_SECRET", SECRET),
            ("JWT_ISSUER", "elsewhere"),
        ]);
        let token = mint_dev_token(&theirs, "user-1", &[], 60).expect("mint");
        assert!(matches!(
            TokenVerifier::from_config(&ours)
                .expect("verifier")
                .verify(&token),
            Err(TokenError::Invalid)
        ));
    }

    #[test]
    fn minting_is_refused_outside_dev_mode() {
        let err =
            mint_dev_token(&config(&[("JWT_HS256_SECRET", SECRET)]), "u", &[], 60).unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration: DEV_MODE must be true to mint development tokens"
        );
    }

    #[test]
    fn without_a_key_no_token_is_accepted() {
        let verifier = TokenVerifier::from_config(&config(&[])).expect("verifier");
        assert!(matches!(
            verifier.verify("a.b.c"),
            Err(TokenError::NotConfigured)
        ));
    }
}
