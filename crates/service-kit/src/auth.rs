//! Authentication: the internal service credential that internal APIs
//! require, and verification of signed end-user tokens (JWT).

use crate::config::{local_secret_file, ConfigError, Secret, ServerConfig};
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
    /// The audience: the one API the token is for.
    pub aud: String,
    /// Issued at, seconds since the epoch. Optional in the standard; without
    /// it the token's lifetime is counted from now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Not before, seconds since the epoch, when the issuer sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
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
    /// The token is malformed, badly signed, not yet or no longer valid,
    /// lives too long, or is for someone or something else.
    #[error("the token is not valid")]
    Invalid,
}

/// The clock skew allowed between the issuer and us, in seconds: on `exp`,
/// `nbf` and `iat` alike.
pub const TOKEN_LEEWAY_SECS: u64 = 30;

/// The longest token lifetime a service may be configured to accept: a day.
pub const MAX_TOKEN_LIFETIME_SECS: u64 = 86_400;

/// What one API asks of the end-user tokens it accepts, beyond the process's
/// key and issuer: its own audience, so that a token issued for one API
/// opens no other, and the longest lifetime it accepts, so that a leaked
/// token is not good for years.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPolicy {
    /// The `aud` a token must carry.
    pub audience: String,
    /// The most seconds from a token's `iat` (or from now, without one) to
    /// its `exp`.
    pub max_lifetime_secs: u64,
}

impl TokenPolicy {
    /// A service's configured policy, checked; an error names the variable
    /// at fault.
    pub fn checked(
        audience_variable: &str,
        audience: &str,
        lifetime_variable: &str,
        max_lifetime_secs: u64,
    ) -> Result<Self, ConfigError> {
        if audience.trim().is_empty() {
            return Err(ConfigError::invalid(audience_variable, "must not be empty"));
        }
        if !(1..=MAX_TOKEN_LIFETIME_SECS).contains(&max_lifetime_secs) {
            return Err(ConfigError::invalid(
                lifetime_variable,
                format!("must be from 1 to {MAX_TOKEN_LIFETIME_SECS}"),
            ));
        }
        Ok(Self {
            audience: audience.to_owned(),
            max_lifetime_secs,
        })
    }
}

/// The key end-user tokens are verified with and the issuer they must name:
/// one for the process. Each API verifies with its own [`TokenPolicy`],
/// through [`TokenKeys::verifier`].
#[derive(Clone)]
pub struct TokenKeys {
    key: Option<(DecodingKey, Algorithm)>,
    issuer: String,
    generated: bool,
}

/// The file in `DATA_DIR` where a standalone run on a loopback `HOST`
/// keeps the development token secret it generated, for `onboarding token`
/// to sign with.
pub const DEV_TOKEN_SECRET_FILE: &str = "dev-token-secret";

impl TokenKeys {
    /// The key the configuration describes: RS256 with the identity
    /// provider's public key (production; it wins when both are set), or
    /// HS256 with a shared secret, which is refused unless `DEV_MODE=true`:
    /// whoever holds that secret can mint any token.
    ///
    /// With neither, a `standalone` run on a loopback `HOST` generates an
    /// HS256 secret into `DATA_DIR/`[`DEV_TOKEN_SECRET_FILE`], so that a
    /// newcomer's first request to a public API works with no set-up: only
    /// someone on this machine who can read that file can mint a token.
    /// Anywhere else there is no key, and every token is refused.
    pub fn from_config(config: &ServerConfig, standalone: bool) -> Result<Self, ConfigError> {
        let mut generated = false;
        let key = if let Some(path) = &config.jwt_rs256_public_key_file {
            let pem = std::fs::read(path).map_err(|e| {
                ConfigError::invalid("JWT_RS256_PUBLIC_KEY_FILE", format!("cannot be read: {e}"))
            })?;
            let key = DecodingKey::from_rsa_pem(&pem).map_err(|_| {
                ConfigError::invalid(
                    "JWT_RS256_PUBLIC_KEY_FILE",
                    "is not an RSA public key in PEM",
                )
            })?;
            Some((key, Algorithm::RS256))
        } else if let Some(secret) = &config.jwt_hs256_secret {
            if !config.dev_mode {
                return Err(ConfigError::invalid(
                    "JWT_HS256_SECRET",
                    "is for development only: set DEV_MODE=true, or verify RS256 tokens \
                     with JWT_RS256_PUBLIC_KEY_FILE",
                ));
            }
            Some((
                DecodingKey::from_secret(secret.expose().as_bytes()),
                Algorithm::HS256,
            ))
        } else if standalone && crate::files::is_loopback(&config.host) {
            generated = true;
            let secret = local_secret_file(
                config,
                "JWT_HS256_SECRET",
                DEV_TOKEN_SECRET_FILE,
                str::to_owned,
            )?;
            Some((
                DecodingKey::from_secret(secret.trim().as_bytes()),
                Algorithm::HS256,
            ))
        } else {
            None
        };
        Ok(Self {
            key,
            issuer: config.jwt_issuer.clone(),
            generated,
        })
    }

    /// Whether tokens are verified with the secret a standalone run
    /// generated (so `onboarding token` can mint them with no set-up).
    pub fn generated(&self) -> bool {
        self.generated
    }

    /// A verifier of tokens for the API `policy` describes. Each has its own
    /// memory of verified tokens, so a token one API accepted is never taken
    /// from memory by another.
    pub fn verifier(&self, policy: &TokenPolicy) -> TokenVerifier {
        let Some((key, algorithm)) = &self.key else {
            return TokenVerifier {
                key: None,
                max_lifetime_secs: 0,
                verified: std::sync::Arc::new(quick_cache::sync::Cache::new(1)),
            };
        };
        let mut validation = Validation::new(*algorithm);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&policy.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = TOKEN_LEEWAY_SECS;
        TokenVerifier {
            key: Some((key.clone(), validation)),
            max_lifetime_secs: policy.max_lifetime_secs as i64,
            verified: std::sync::Arc::new(quick_cache::sync::Cache::new(VERIFIED_TOKENS)),
        }
    }
}

/// Verifies the end-user tokens of one API: the signature, `iss`, its own
/// `aud`, `sub`, and the times (`exp`, `nbf`, `iat`, and the lifetime), with
/// [`TOKEN_LEEWAY_SECS`] of clock skew.
#[derive(Clone)]
pub struct TokenVerifier {
    key: Option<(DecodingKey, Validation)>,
    max_lifetime_secs: i64,
    /// Tokens already verified, with their claims. A front end sends the
    /// same token with every request until it expires, and decoding and
    /// checking its signature was a tenth of a cached read's cost. The token
    /// text is what was signed, so the same text verifies the same way until
    /// its expiry, which is checked again on every hit (`nbf`, `iat` and the
    /// lifetime only become truer with time); keys change only with a
    /// restart, which empties the cache.
    verified: std::sync::Arc<quick_cache::sync::Cache<String, Claims>>,
}

/// How many verified tokens are remembered.
const VERIFIED_TOKENS: usize = 4096;

impl TokenVerifier {
    /// Verifies a token and returns its claims.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let (key, validation) = self.key.as_ref().ok_or(TokenError::NotConfigured)?;
        let now = jsonwebtoken::get_current_timestamp() as i64;
        let leeway = validation.leeway as i64;
        if let Some(claims) = self.verified.get(token) {
            // jsonwebtoken's own expiry rule, with the same leeway.
            if claims.exp.saturating_add(leeway) >= now {
                return Ok(claims);
            }
            self.verified.remove(token);
            return Err(TokenError::Invalid);
        }
        // The signature, iss, aud, sub, exp and nbf.
        let claims = jsonwebtoken::decode::<Claims>(token, key, validation)
            .map(|data| data.claims)
            .map_err(|_| TokenError::Invalid)?;
        if !self.lifetime_holds(&claims, now, leeway) {
            return Err(TokenError::Invalid);
        }
        self.verified.insert(token.to_owned(), claims.clone());
        Ok(claims)
    }

    /// What jsonwebtoken does not check: a token issued in the future is
    /// refused, and one that lives longer than the API accepts. Without an
    /// `iat`, the lifetime left from now counts, with the leeway for the
    /// issuer's clock being ahead of ours.
    fn lifetime_holds(&self, claims: &Claims, now: i64, leeway: i64) -> bool {
        match claims.iat {
            Some(iat) if iat > now.saturating_add(leeway) => false,
            Some(iat) => claims.exp.saturating_sub(iat) <= self.max_lifetime_secs,
            None => claims.exp.saturating_sub(now) <= self.max_lifetime_secs.saturating_add(leeway),
        }
    }
}

/// Mints an HS256 token for development, for the API whose audience is
/// `audience`, signed as [`sign_dev_claims`] signs.
pub fn mint_dev_token(
    config: &ServerConfig,
    audience: &str,
    subject: &str,
    roles: &[String],
    ttl_secs: i64,
) -> Result<String, ConfigError> {
    let now = chrono::Utc::now().timestamp();
    sign_dev_claims(
        config,
        &Claims {
            sub: subject.to_owned(),
            iss: config.jwt_issuer.clone(),
            aud: audience.to_owned(),
            iat: Some(now),
            nbf: None,
            exp: now + ttl_secs,
            roles: roles.to_vec(),
        },
    )
}

/// Signs any claims as an HS256 development token: [`mint_dev_token`]'s
/// signing, and how tests make the tokens a verifier must refuse.
///
/// The key is `JWT_HS256_SECRET` with `DEV_MODE` on, or else the secret a
/// standalone run generated into `DATA_DIR/`[`DEV_TOKEN_SECRET_FILE`];
/// with neither, it is refused.
pub fn sign_dev_claims(
    config: &ServerConfig,
    claims: &impl Serialize,
) -> Result<String, ConfigError> {
    let secret = dev_signing_secret(config)?;
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.expose().as_bytes()),
    )
    .map_err(|e| ConfigError::invalid("JWT_HS256_SECRET", format!("could not sign: {e}")))
}

/// The secret development tokens are signed with: see [`sign_dev_claims`].
fn dev_signing_secret(config: &ServerConfig) -> Result<Secret, ConfigError> {
    if let Some(secret) = &config.jwt_hs256_secret {
        if !config.dev_mode {
            return Err(ConfigError::invalid(
                "DEV_MODE",
                "must be true to mint development tokens",
            ));
        }
        return Ok(secret.clone());
    }
    // Only read, never created: the server generates it, on loopback.
    let path = config.data_dir.join(DEV_TOKEN_SECRET_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Secret::new(text.trim())),
        Err(_) => Err(ConfigError::invalid(
            "JWT_HS256_SECRET",
            format!(
                "must be set (with DEV_MODE=true) to mint development tokens; \
                 a standalone run on a loopback HOST generates {} instead",
                path.display()
            ),
        )),
    }
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
    const DEV: [(&str, &str); 2] = [("DEV_MODE", "true"), ("JWT_HS256_SECRET", SECRET)];

    fn policy(audience: &str) -> TokenPolicy {
        TokenPolicy::checked("AUD", audience, "LIFETIME", 3600).expect("policy")
    }

    fn verifier(config: &ServerConfig, audience: &str) -> TokenVerifier {
        TokenKeys::from_config(config, false)
            .expect("keys")
            .verifier(&policy(audience))
    }

    #[test]
    fn minted_tokens_verify_and_tampered_ones_do_not() {
        let config = config(&DEV);
        let token =
            mint_dev_token(&config, "api", "user-1", &["case:read".into()], 60).expect("mint");
        let verifier = verifier(&config, "api");
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
        let expired = mint_dev_token(&config, "api", "user-1", &[], -120).expect("mint");
        assert!(matches!(
            verifier.verify(&expired),
            Err(TokenError::Invalid)
        ));
    }

    #[test]
    fn remembered_tokens_still_expire() {
        let config = config(&DEV);
        let token = mint_dev_token(&config, "api", "user-1", &[], 60).expect("mint");
        let verifier = verifier(&config, "api");
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
    fn tokens_from_another_issuer_or_for_another_api_are_refused() {
        let ours = config(&DEV);
        let theirs = config(&[DEV[0], DEV[1], ("JWT_ISSUER", "elsewhere")]);
        let token = mint_dev_token(&theirs, "api", "user-1", &[], 60).expect("mint");
        assert!(matches!(
            verifier(&ours, "api").verify(&token),
            Err(TokenError::Invalid)
        ));
        // One process, two APIs: each verifier takes only its own audience,
        // even for a token the other has already verified and remembers.
        let keys = TokenKeys::from_config(&ours, false).expect("keys");
        let (cam, ecm) = (keys.verifier(&policy("cam")), keys.verifier(&policy("ecm")));
        let for_ecm = mint_dev_token(&ours, "ecm", "analyst", &[], 60).expect("mint");
        assert!(ecm.verify(&for_ecm).is_ok());
        assert!(matches!(cam.verify(&for_ecm), Err(TokenError::Invalid)));
    }

    #[test]
    fn token_times_are_checked() {
        let config = config(&DEV);
        let verifier = verifier(&config, "api");
        let now = jsonwebtoken::get_current_timestamp() as i64;
        let token = |iat: Option<i64>, nbf: Option<i64>, exp: i64| {
            let claims = Claims {
                sub: "u".into(),
                iss: config.jwt_issuer.clone(),
                aud: "api".into(),
                iat,
                nbf,
                exp,
                roles: vec![],
            };
            verifier.verify(&sign_dev_claims(&config, &claims).expect("signed"))
        };
        let leeway = TOKEN_LEEWAY_SECS as i64;
        // Accepted: a lifetime of exactly the maximum; times within the leeway.
        for (iat, nbf, exp) in [
            (Some(now), None, now + 3600),
            (Some(now + leeway), Some(now + leeway), now + 600),
            (None, Some(now - 10), now + 3600 + leeway),
            (None, None, now + 60),
        ] {
            assert!(token(iat, nbf, exp).is_ok(), "{iat:?} {nbf:?} {exp}");
        }
        // Refused: not yet valid, issued in the future, living too long.
        for (iat, nbf, exp) in [
            (Some(now), Some(now + 86_400), now + 3600),
            (Some(now), Some(now + leeway + 5), now + 600),
            (Some(now + leeway + 5), None, now + 600),
            (Some(4_102_444_800), None, 4_102_444_800 + 60),
            (Some(now), None, now + 3601),
            (Some(now - 10 * 365 * 86_400), None, now + 10 * 365 * 86_400),
            (None, None, now + 3600 + leeway + 5),
        ] {
            assert!(
                matches!(token(iat, nbf, exp), Err(TokenError::Invalid)),
                "{iat:?} {nbf:?} {exp}"
            );
        }
    }

    #[test]
    fn hs256_is_refused_outside_dev_mode() {
        let err = TokenKeys::from_config(&config(&[("JWT_HS256_SECRET", SECRET)]), false)
            .err()
            .expect("refused");
        assert_eq!(
            err.to_string(),
            "configuration: JWT_HS256_SECRET is for development only: set DEV_MODE=true, \
             or verify RS256 tokens with JWT_RS256_PUBLIC_KEY_FILE"
        );
    }

    #[test]
    fn a_standalone_run_on_loopback_generates_the_secret_token_minting_uses() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data_dir = dir.path().display().to_string();
        let at = |host: &str| config(&[("DATA_DIR", &data_dir), ("HOST", host)]);
        // Nothing to mint with before a server generated the secret.
        let err = mint_dev_token(&at("127.0.0.1"), "api", "u", &[], 60).unwrap_err();
        assert!(err.to_string().contains("dev-token-secret"), "{err}");
        // Not standalone, or reachable by others: no key, nothing generated.
        for (host, standalone) in [("127.0.0.1", false), ("0.0.0.0", true)] {
            let keys = TokenKeys::from_config(&at(host), standalone).expect("keys");
            assert!(!keys.generated() && keys.key.is_none(), "{host}");
            assert!(!dir.path().join(DEV_TOKEN_SECRET_FILE).exists());
        }
        let keys = TokenKeys::from_config(&at("127.0.0.1"), true).expect("keys");
        assert!(keys.generated());
        // Without DEV_MODE: the file is the permission.
        let token = mint_dev_token(&at("127.0.0.1"), "api", "user-1", &[], 60).expect("mint");
        let claims = keys.verifier(&policy("api")).verify(&token).expect("valid");
        assert_eq!(claims.sub, "user-1");
        // Kept across restarts.
        let again = TokenKeys::from_config(&at("127.0.0.1"), true).expect("keys");
        assert!(again.verifier(&policy("api")).verify(&token).is_ok());
    }

    #[test]
    fn policies_are_checked() {
        assert_eq!(
            TokenPolicy::checked("A", " ", "L", 60)
                .unwrap_err()
                .to_string(),
            "configuration: A must not be empty"
        );
        for bad in [0, MAX_TOKEN_LIFETIME_SECS + 1] {
            assert_eq!(
                TokenPolicy::checked("A", "api", "L", bad)
                    .unwrap_err()
                    .to_string(),
                "configuration: L must be from 1 to 86400"
            );
        }
    }

    #[test]
    fn minting_is_refused_outside_dev_mode() {
        let err = mint_dev_token(&config(&[("JWT_HS256_SECRET", SECRET)]), "a", "u", &[], 60)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration: DEV_MODE must be true to mint development tokens"
        );
    }

    #[test]
    fn without_a_key_no_token_is_accepted() {
        let verifier = verifier(&config(&[]), "api");
        assert!(matches!(
            verifier.verify("a.b.c"),
            Err(TokenError::NotConfigured)
        ));
    }
}
