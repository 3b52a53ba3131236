//! The OpenID Connect client: the authorization code flow with PKCE (S256),
//! state and nonce, against the provider named by `CONSOLE_OIDC_ISSUER`.
//!
//! Written on jsonwebtoken and reqwest rather than taken from a crate (the
//! `openidconnect` crate brings a second reqwest; docs/decisions.md, "The
//! console signs in with OpenID Connect"). The provider's discovery
//! document is read on the first sign-in and kept, so the console starts
//! while the provider is down; its keys (JWKS) are kept too, and read
//! again when an ID token names a key they lack (the provider rotated).
//! Redirects are never followed: every address the console calls comes
//! from the issuer's own discovery document.

use base64::Engine;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::RwLock;

/// How far the provider's clock may be from ours, in seconds (`exp`,
/// `iat`).
pub const LEEWAY_SECS: u64 = 30;
/// The longest answer read from the provider (discovery, keys, tokens).
const MAX_ANSWER_BYTES: usize = 1 << 20;
/// How long one call to the provider may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest name kept from the provider, in characters.
const MAX_NAME_CHARS: usize = 200;

/// The provider the console signs in with, and what it reads from it.
#[derive(Clone)]
pub struct OidcSettings {
    /// The issuer (`iss` of every ID token; discovery is under it).
    pub issuer: String,
    /// The console's client id (`aud` of every ID token).
    pub client_id: String,
    /// The client secret, sent as HTTP Basic; `None`: a public client.
    pub client_secret: Option<String>,
    /// The scopes asked for, space-separated.
    pub scopes: String,
    /// The claim with the roles.
    pub roles_claim: String,
    /// The claim with the name shown.
    pub name_claim: String,
}

impl std::fmt::Debug for OidcSettings {
    /// Everything but the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "…"))
            .field("scopes", &self.scopes)
            .field("roles_claim", &self.roles_claim)
            .field("name_claim", &self.name_claim)
            .finish()
    }
}

/// Whether `url` may be one of the provider's addresses: `https://`, or
/// `http://` to a loopback host (development and tests), with a host and
/// no fragment.
pub fn check_provider_url(url: &str) -> Result<(), String> {
    let (https, rest) = if let Some(rest) = url.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(format!("({url}) must start with https://"));
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    if host.is_empty() || authority.contains('@') || url.contains(['#', ' ']) {
        return Err(format!(
            "({url}) must be a URL with a host and no user or fragment"
        ));
    }
    if !https && !service_kit::files::is_loopback(host) {
        return Err(format!(
            "({url}) must be https:// unless its host is a loopback address"
        ));
    }
    Ok(())
}

/// Why signing in through the provider failed. The text is for the log:
/// it holds no token, code or personal data.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider could not be reached, or answered with an error of
    /// its own or something unreadable.
    #[error("the OpenID provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider's answer does not check out (a refused code, an ID
    /// token with the wrong issuer, audience, nonce, signature, age...).
    #[error("the OpenID provider's answer was refused: {0}")]
    Refused(String),
}

/// What a sign-in started with: all three random, kept by the console
/// (state and nonce in its database, the verifier in the browser's
/// binding cookie) until the provider sends the browser back.
#[derive(Debug, Clone)]
pub struct AuthRequest {
    /// Ties the provider's answer to this sign-in.
    pub state: String,
    /// Ties the ID token to this sign-in.
    pub nonce: String,
    /// The PKCE code verifier (43 characters of base64url).
    pub verifier: String,
}

/// The PKCE S256 challenge of `verifier`: base64url(SHA-256(verifier)).
pub fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Who signed in, as the provider says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The ID token's `sub`.
    pub subject: String,
    /// The name claim; the subject when there is none.
    pub name: String,
    /// Every role the roles claim holds (the caller keeps the console's).
    pub roles: Vec<String>,
}

/// The parts of the discovery document the console uses.
#[derive(Debug, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    userinfo_endpoint: Option<String>,
    end_session_endpoint: Option<String>,
}

/// The token endpoint's answer.
#[derive(Deserialize)]
struct Tokens {
    id_token: String,
    access_token: Option<String>,
}

/// The token endpoint's error answer (RFC 6749 §5.2).
#[derive(Deserialize)]
struct TokenError {
    error: String,
}

/// The OpenID Connect client, shared by every request.
pub struct Oidc {
    settings: OidcSettings,
    http: reqwest::Client,
    discovery: RwLock<Option<Arc<Discovery>>>,
    keys: RwLock<Option<Arc<JwkSet>>>,
}

impl Oidc {
    /// A client for `settings`. Nothing is fetched yet.
    pub fn new(settings: OidcSettings) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(CALL_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .build()?;
        Ok(Self {
            settings,
            http,
            discovery: RwLock::new(None),
            keys: RwLock::new(None),
        })
    }

    /// The discovery document: read once, then kept. A failed read is not
    /// kept, so the next sign-in tries again.
    async fn discovery(&self) -> Result<Arc<Discovery>, OidcError> {
        if let Some(found) = self.discovery.read().await.clone() {
            return Ok(found);
        }
        let mut slot = self.discovery.write().await;
        if let Some(found) = slot.clone() {
            return Ok(found);
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.settings.issuer.trim_end_matches('/')
        );
        let found: Discovery = self.get_json(&url, "discovery").await?;
        if found.issuer != self.settings.issuer {
            return Err(OidcError::Unavailable(format!(
                "discovery names the issuer {:?}, not {:?}",
                found.issuer, self.settings.issuer
            )));
        }
        for url in [
            Some(&found.authorization_endpoint),
            Some(&found.token_endpoint),
            Some(&found.jwks_uri),
            found.userinfo_endpoint.as_ref(),
            found.end_session_endpoint.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            check_provider_url(url)
                .map_err(|why| OidcError::Unavailable(format!("discovery: an endpoint {why}")))?;
        }
        let found = Arc::new(found);
        *slot = Some(found.clone());
        Ok(found)
    }

    /// Where to send the browser to sign in for `request`, coming back to
    /// `redirect_uri`.
    pub async fn authorization_url(
        &self,
        request: &AuthRequest,
        redirect_uri: &str,
    ) -> Result<String, OidcError> {
        let discovery = self.discovery().await?;
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.settings.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", &self.settings.scopes)
            .append_pair("state", &request.state)
            .append_pair("nonce", &request.nonce)
            .append_pair("code_challenge", &challenge(&request.verifier))
            .append_pair("code_challenge_method", "S256")
            .finish();
        let endpoint = &discovery.authorization_endpoint;
        let joiner = if endpoint.contains('?') { '&' } else { '?' };
        Ok(format!("{endpoint}{joiner}{query}"))
    }

    /// Where a signed-out analyst may end their session at the provider
    /// too, when discovery (already read) names an end-session endpoint.
    pub fn end_session_url(&self) -> Option<String> {
        let discovery = self.discovery.try_read().ok()?.clone()?;
        let endpoint = discovery.end_session_endpoint.as_ref()?;
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &self.settings.client_id)
            .finish();
        let joiner = if endpoint.contains('?') { '&' } else { '?' };
        Some(format!("{endpoint}{joiner}{query}"))
    }

    /// Exchanges `code` (with the PKCE `verifier`) for tokens, checks the
    /// ID token against `nonce`, and says who signed in.
    pub async fn sign_in(
        &self,
        code: &str,
        verifier: &str,
        nonce: &str,
        redirect_uri: &str,
    ) -> Result<Identity, OidcError> {
        let discovery = self.discovery().await?;
        let tokens = self
            .exchange(&discovery, code, verifier, redirect_uri)
            .await?;
        let claims = self.check_id_token(&tokens.id_token, nonce).await?;
        let subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| OidcError::Refused("the ID token has no sub".into()))?
            .to_owned();
        let wanted = [&self.settings.roles_claim, &self.settings.name_claim];
        let userinfo = match (&discovery.userinfo_endpoint, &tokens.access_token) {
            (Some(endpoint), Some(token)) if wanted.iter().any(|c| !claims.contains_key(*c)) => {
                Some(self.userinfo(endpoint, token, &subject).await?)
            }
            _ => None,
        };
        let claim = |name: &str| {
            claims
                .get(name)
                .or_else(|| userinfo.as_ref().and_then(|u| u.get(name)))
        };
        let name = claim(&self.settings.name_claim)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(&subject)
            .chars()
            .take(MAX_NAME_CHARS)
            .collect();
        let roles = claim(&self.settings.roles_claim)
            .map(roles_of)
            .unwrap_or_default();
        Ok(Identity {
            subject,
            name,
            roles,
        })
    }

    /// The token request: the code, the verifier, and the client's
    /// secret as HTTP Basic (or its id alone, as a public client).
    async fn exchange(
        &self,
        discovery: &Discovery,
        code: &str,
        verifier: &str,
        redirect_uri: &str,
    ) -> Result<Tokens, OidcError> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
        ];
        let mut request = self.http.post(&discovery.token_endpoint);
        match &self.settings.client_secret {
            // RFC 6749 §2.3.1: both form-encoded before Basic.
            Some(secret) => {
                let encode =
                    |v: &str| form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
                request =
                    request.basic_auth(encode(&self.settings.client_id), Some(encode(secret)));
            }
            None => form.push(("client_id", &self.settings.client_id)),
        }
        let answer = request
            .form(&form)
            .send()
            .await
            .map_err(|e| call_failed("token endpoint", &e))?;
        let status = answer.status();
        if status.is_success() {
            return read_json(answer, "token endpoint").await;
        }
        if status.is_client_error() {
            // The error code only: its description may echo what was sent.
            let code = read_json::<TokenError>(answer, "token endpoint")
                .await
                .map(|e| e.error)
                .unwrap_or_else(|_| "unreadable".into());
            return Err(OidcError::Refused(format!(
                "the token endpoint answered {status} ({})",
                code.chars().take(64).collect::<String>()
            )));
        }
        Err(OidcError::Unavailable(format!(
            "the token endpoint answered {status}"
        )))
    }

    /// The ID token's claims, once its signature (RS256 or ES256, by a
    /// key of the provider's JWKS), issuer, audience, times and nonce
    /// check out.
    async fn check_id_token(
        &self,
        id_token: &str,
        nonce: &str,
    ) -> Result<Map<String, Value>, OidcError> {
        let refused = |why: String| OidcError::Refused(why);
        let header = jsonwebtoken::decode_header(id_token)
            .map_err(|e| refused(format!("the ID token cannot be read: {e}")))?;
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(refused(format!(
                "the ID token is signed with {:?}, not RS256 or ES256",
                header.alg
            )));
        }
        let key = self.key(header.kid.as_deref()).await?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&[&self.settings.client_id]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        let claims = jsonwebtoken::decode::<Map<String, Value>>(id_token, &key, &validation)
            .map_err(|e| refused(format!("the ID token does not check out: {e}")))?
            .claims;
        let now = jsonwebtoken::get_current_timestamp();
        let issued = claims
            .get("iat")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        if issued > now + LEEWAY_SECS {
            return Err(refused("the ID token was issued in the future".into()));
        }
        if let Some(azp) = claims.get("azp") {
            if azp.as_str() != Some(&self.settings.client_id) {
                return Err(refused(
                    "the ID token was issued to another party (azp)".into(),
                ));
            }
        }
        if claims.get("nonce").and_then(Value::as_str) != Some(nonce) {
            return Err(refused("the ID token's nonce is not this sign-in's".into()));
        }
        Ok(claims)
    }

    /// The provider's key `kid` (or its only key, when the token names
    /// none), from the kept JWKS, read again once when it lacks it.
    async fn key(&self, kid: Option<&str>) -> Result<DecodingKey, OidcError> {
        let kept = self.keys.read().await.clone();
        let mut fresh = false;
        let keys = match kept {
            Some(keys) => keys,
            None => {
                fresh = true;
                self.fetch_keys().await?
            }
        };
        let keys = match pick(&keys, kid) {
            Some(_) => keys,
            None if !fresh => self.fetch_keys().await?,
            None => keys,
        };
        let jwk = pick(&keys, kid).ok_or_else(|| {
            OidcError::Refused(format!("the provider has no key {kid:?} for the ID token"))
        })?;
        DecodingKey::from_jwk(jwk)
            .map_err(|e| OidcError::Refused(format!("the provider's key cannot be used: {e}")))
    }

    /// Reads the JWKS and keeps it.
    async fn fetch_keys(&self) -> Result<Arc<JwkSet>, OidcError> {
        let discovery = self.discovery().await?;
        let keys: JwkSet = self.get_json(&discovery.jwks_uri, "keys").await?;
        let keys = Arc::new(keys);
        *self.keys.write().await = Some(keys.clone());
        Ok(keys)
    }

    /// The userinfo claims, for the ones the ID token lacks. Refused when
    /// they are about someone else.
    async fn userinfo(
        &self,
        endpoint: &str,
        access_token: &str,
        subject: &str,
    ) -> Result<Map<String, Value>, OidcError> {
        let answer = self
            .http
            .get(endpoint)
            .bearer_auth(access_token)
            .send()
            .await
            .map_err(|e| call_failed("userinfo", &e))?;
        if !answer.status().is_success() {
            return Err(OidcError::Unavailable(format!(
                "userinfo answered {}",
                answer.status()
            )));
        }
        let claims: Map<String, Value> = read_json(answer, "userinfo").await?;
        if claims.get("sub").and_then(Value::as_str) != Some(subject) {
            return Err(OidcError::Refused(
                "userinfo is about another subject than the ID token".into(),
            ));
        }
        Ok(claims)
    }

    /// `GET url`, a JSON answer expected.
    async fn get_json<T: DeserializeOwned>(&self, url: &str, what: &str) -> Result<T, OidcError> {
        let answer = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| call_failed(what, &e))?;
        if !answer.status().is_success() {
            return Err(OidcError::Unavailable(format!(
                "{what} answered {}",
                answer.status()
            )));
        }
        read_json(answer, what).await
    }
}

/// The key `kid` of `keys`; with no `kid`, the only key there is.
fn pick<'k>(keys: &'k JwkSet, kid: Option<&str>) -> Option<&'k jsonwebtoken::jwk::Jwk> {
    match kid {
        Some(kid) => keys.find(kid),
        None if keys.keys.len() == 1 => keys.keys.first(),
        None => None,
    }
}

/// The roles a claim holds: an array of strings, or one space-separated
/// string.
fn roles_of(claim: &Value) -> Vec<String> {
    match claim {
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Value::String(text) => text.split_whitespace().map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// The provider could not be reached for `what`.
fn call_failed(what: &str, e: &reqwest::Error) -> OidcError {
    let why = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot be reached"
    } else {
        "failed"
    };
    OidcError::Unavailable(format!("{what} {why}"))
}

/// An answer's JSON body, read up to [`MAX_ANSWER_BYTES`].
async fn read_json<T: DeserializeOwned>(
    mut answer: reqwest::Response,
    what: &str,
) -> Result<T, OidcError> {
    let mut body = Vec::new();
    while let Some(chunk) = answer.chunk().await.map_err(|e| call_failed(what, &e))? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_ANSWER_BYTES {
            return Err(OidcError::Unavailable(format!(
                "{what} answered more than {MAX_ANSWER_BYTES} bytes"
            )));
        }
    }
    serde_json::from_slice(&body)
        .map_err(|e| OidcError::Unavailable(format!("{what} answered unreadable JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn provider_urls_are_https_or_loopback() {
        for good in [
            "https://login.bank.example",
            "https://login.bank.example/realms/staff",
            "http://localhost:8080",
            "http://127.0.0.1:9000/idp",
            "http://[::1]:9000",
        ] {
            assert_eq!(check_provider_url(good), Ok(()), "{good}");
        }
        for bad in [
            "http://login.bank.example",
            "login.bank.example",
            "https://",
            "https://user@login.bank.example",
            "https://login.bank.example/#x",
            "ftp://login.bank.example",
        ] {
            assert!(check_provider_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn roles_are_an_array_or_a_space_separated_string() {
        assert_eq!(
            roles_of(&json!(["case:read", 7, "case:write"])),
            ["case:read", "case:write"]
        );
        assert_eq!(
            roles_of(&json!(" case:read  application:read ")),
            ["case:read", "application:read"]
        );
        assert!(roles_of(&json!({"case:read": true})).is_empty());
    }

    #[test]
    fn the_challenge_is_rfc_7636s() {
        // RFC 7636, appendix B.
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn the_secret_is_not_in_debug_output() {
        let settings = OidcSettings {
            issuer: "https://login.bank.example".into(),
            client_id: "console".into(),
            client_secret: Some("very-secret".into()),
            scopes: "openid".into(),
            roles_claim: "roles".into(),
            name_claim: "name".into(),
        };
        assert!(!format!("{settings:?}").contains("very-secret"));
    }
}
