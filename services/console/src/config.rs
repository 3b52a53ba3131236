//! The console's configuration: its own database (sessions and sign-ins
//! under way), where browsers reach it, how long a session lasts, the
//! OpenID provider analysts sign in with, where case-service and
//! user-action are, and the event risk decisions the case screens offer.

use crate::oidc::OidcSettings;
use envconfig::Envconfig;
use service_kit::files::is_loopback;
use service_kit::server::Context;
use service_kit::{load_config, ConfigError};
use std::collections::HashMap;

service_kit::own_database!(crate::NAME);

/// The console's variables, from the environment.
#[derive(Debug, Clone, Envconfig)]
pub struct ConsoleConfig {
    /// The URL browsers open the console at, without `/console/`
    /// (`https://onboarding.bank.example`): its origin is the only one
    /// whose forms are taken, and an `https://` URL makes the session
    /// cookie `Secure`. Unset, the console serves loopback only
    /// (`HOST` a loopback address) over plain HTTP.
    #[envconfig(from = "CONSOLE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// How long a session lasts without a request, in seconds (60 to
    /// 86,400).
    #[envconfig(from = "CONSOLE_SESSION_IDLE_SECS", default = "1800")]
    pub session_idle_secs: u32,
    /// How long a session lasts at most, however busy, in seconds (from
    /// the idle time to 604,800: a week).
    #[envconfig(from = "CONSOLE_SESSION_MAX_SECS", default = "43200")]
    pub session_max_secs: u32,
    /// The OpenID provider's issuer (`https://login.bank.example/realms/x`;
    /// `http://` only on a loopback host). Unset: no OpenID Connect
    /// sign-in. Its discovery document is read on the first sign-in, not
    /// at start.
    #[envconfig(from = "CONSOLE_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// The console's client id at the provider (required with the issuer).
    #[envconfig(from = "CONSOLE_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// The client's secret (sent as HTTP Basic); unset: a public client,
    /// bound by PKCE alone.
    #[envconfig(from = "CONSOLE_OIDC_CLIENT_SECRET")]
    pub oidc_client_secret: Option<String>,
    /// The scopes asked for (space-separated; must include `openid`).
    #[envconfig(from = "CONSOLE_OIDC_SCOPES", default = "openid profile roles")]
    pub oidc_scopes: String,
    /// The claim that holds the console roles (an array, or a
    /// space-separated string).
    #[envconfig(from = "CONSOLE_OIDC_ROLES_CLAIM", default = "roles")]
    pub oidc_roles_claim: String,
    /// The claim that holds the name the pages show.
    #[envconfig(from = "CONSOLE_OIDC_NAME_CLAIM", default = "name")]
    pub oidc_name_claim: String,
    /// case-service's internal API, for the case screens (this process
    /// when unset).
    #[envconfig(from = "CASE_SERVICE_URL")]
    pub case_service_url: Option<String>,
    /// user-action's internal API, for the applications screen and the
    /// evidence (this process when unset).
    #[envconfig(from = "USER_ACTION_SERVICE_URL")]
    pub user_action_service_url: Option<String>,
    /// The event risk decisions offered, `code:label` comma-separated
    /// (`1:False positive,2:Escalate`): codes 0 to 999999999, each once,
    /// labels 1 to 80 characters.
    #[envconfig(
        from = "CONSOLE_EVENT_DECISIONS",
        default = "1:False positive,2:Escalate,3:True positive"
    )]
    pub event_decisions: String,
}

/// What the console runs with, checked.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The origin browsers use (`https://host[:port]`); `None` when
    /// `CONSOLE_PUBLIC_URL` is unset (loopback only), where a form must
    /// come from the origin of the request's own `Host`.
    pub origin: Option<String>,
    /// Whether the session cookie is `Secure` (and named `__Host-…`).
    pub secure: bool,
    /// Whether the development sign-in is offered.
    pub dev_sign_in: bool,
    /// A session's idle lifetime.
    pub idle: chrono::Duration,
    /// A session's absolute lifetime.
    pub absolute: chrono::Duration,
    /// The OpenID provider, when `CONSOLE_OIDC_ISSUER` is set.
    pub oidc: Option<OidcSettings>,
    /// case-service's internal API (`None`: this process).
    pub case_service_url: Option<String>,
    /// user-action's internal API (`None`: this process).
    pub user_action_service_url: Option<String>,
    /// The event risk decisions the case screens offer.
    pub event_decisions: Vec<EventDecisionLabel>,
}

/// An event risk decision the screens offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDecisionLabel {
    /// Its code, as `updateEventRiskDecision` takes it.
    pub code: u32,
    /// What the case worker reads.
    pub label: String,
}

/// The longest a session may last: a week.
const MAX_SESSION_SECS: u32 = 604_800;

impl ConsoleConfig {
    /// Loads the variables from `vars` (the environment when `None`) and
    /// checks them against the chassis's configuration.
    pub fn settings(
        ctx: &Context,
        vars: Option<&HashMap<String, String>>,
    ) -> Result<Settings, ConfigError> {
        let config: Self = load_config(vars)?;
        if !(60..=86_400).contains(&config.session_idle_secs) {
            return Err(ConfigError::invalid(
                "CONSOLE_SESSION_IDLE_SECS",
                "must be from 60 to 86400",
            ));
        }
        if !(config.session_idle_secs..=MAX_SESSION_SECS).contains(&config.session_max_secs) {
            return Err(ConfigError::invalid(
                "CONSOLE_SESSION_MAX_SECS",
                format!(
                    "must be from CONSOLE_SESSION_IDLE_SECS ({}) to {MAX_SESSION_SECS}",
                    config.session_idle_secs
                ),
            ));
        }
        let host = &ctx.config.host;
        let (origin, secure) = match &config.public_url {
            Some(url) => {
                let public = PublicUrl::parse(url)
                    .map_err(|why| ConfigError::invalid("CONSOLE_PUBLIC_URL", why))?;
                if !public.https && !is_loopback(&public.host) {
                    return Err(ConfigError::invalid(
                        "CONSOLE_PUBLIC_URL",
                        format!(
                            "({url}) must be https:// unless its host is a loopback address: \
                             the session cookie would cross the network in clear"
                        ),
                    ));
                }
                (Some(public.origin), public.https)
            }
            None if is_loopback(host) => (None, false),
            None => {
                return Err(ConfigError::invalid(
                    "CONSOLE_PUBLIC_URL",
                    format!(
                        "is required when HOST ({host}) is not a loopback address: \
                         the console must know the https:// origin browsers use"
                    ),
                ))
            }
        };
        let oidc = config.oidc()?;
        let event_decisions = parse_decisions(&config.event_decisions)
            .map_err(|why| ConfigError::invalid("CONSOLE_EVENT_DECISIONS", why))?;
        Ok(Settings {
            origin,
            secure,
            // DEV_MODE, or a standalone run nobody else can reach (the rule
            // that lets a standalone run generate its secrets).
            dev_sign_in: ctx.config.dev_mode || (ctx.standalone && is_loopback(host)),
            idle: chrono::Duration::seconds(config.session_idle_secs.into()),
            absolute: chrono::Duration::seconds(config.session_max_secs.into()),
            oidc,
            case_service_url: config.case_service_url,
            user_action_service_url: config.user_action_service_url,
            event_decisions,
        })
    }

    /// The OpenID provider's settings, checked: `None` without an issuer.
    fn oidc(&self) -> Result<Option<OidcSettings>, ConfigError> {
        let nonempty = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let Some(issuer) = nonempty(&self.oidc_issuer) else {
            if nonempty(&self.oidc_client_id).is_some() {
                return Err(ConfigError::invalid(
                    "CONSOLE_OIDC_ISSUER",
                    "is required when CONSOLE_OIDC_CLIENT_ID is set",
                ));
            }
            return Ok(None);
        };
        crate::oidc::check_provider_url(&issuer)
            .map_err(|why| ConfigError::invalid("CONSOLE_OIDC_ISSUER", why))?;
        let client_id = nonempty(&self.oidc_client_id).ok_or_else(|| {
            ConfigError::invalid(
                "CONSOLE_OIDC_CLIENT_ID",
                "is required when CONSOLE_OIDC_ISSUER is set",
            )
        })?;
        if !self.oidc_scopes.split_whitespace().any(|s| s == "openid") {
            return Err(ConfigError::invalid(
                "CONSOLE_OIDC_SCOPES",
                format!("({}) must include openid", self.oidc_scopes),
            ));
        }
        for (variable, claim) in [
            ("CONSOLE_OIDC_ROLES_CLAIM", &self.oidc_roles_claim),
            ("CONSOLE_OIDC_NAME_CLAIM", &self.oidc_name_claim),
        ] {
            if claim.trim().is_empty() {
                return Err(ConfigError::invalid(variable, "must name a claim"));
            }
        }
        Ok(Some(OidcSettings {
            issuer,
            client_id,
            client_secret: nonempty(&self.oidc_client_secret),
            scopes: self
                .oidc_scopes
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            roles_claim: self.oidc_roles_claim.trim().to_owned(),
            name_claim: self.oidc_name_claim.trim().to_owned(),
        }))
    }
}

/// `code:label,...` as decisions, or why not.
fn parse_decisions(text: &str) -> Result<Vec<EventDecisionLabel>, String> {
    let mut decisions: Vec<EventDecisionLabel> = Vec::new();
    for entry in text.split(',') {
        let (code, label) = entry
            .split_once(':')
            .ok_or_else(|| format!("({entry}) must be code:label, comma-separated"))?;
        let code: u32 = code
            .trim()
            .parse()
            .ok()
            .filter(|c| *c <= 999_999_999)
            .ok_or_else(|| format!("({entry}) must start with a code from 0 to 999999999"))?;
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 80 || label.chars().any(char::is_control) {
            return Err(format!("({entry}) must have a label of 1 to 80 characters"));
        }
        if decisions.iter().any(|d| d.code == code) {
            return Err(format!("names code {code} twice"));
        }
        decisions.push(EventDecisionLabel {
            code,
            label: label.to_owned(),
        });
    }
    Ok(decisions)
}

/// `CONSOLE_PUBLIC_URL`, taken apart.
struct PublicUrl {
    https: bool,
    host: String,
    origin: String,
}

impl PublicUrl {
    /// `http(s)://host[:port]`, with at most a `/` after it: the console's
    /// own path is `/console/`, always.
    fn parse(url: &str) -> Result<Self, String> {
        let (https, rest) = if let Some(rest) = url.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err(format!("({url}) must start with https:// or http://"));
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest).to_ascii_lowercase();
        let valid = !authority.is_empty()
            && authority
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c));
        if !valid {
            return Err(format!(
                "({url}) must be a scheme and a host (and a port), with no path, \
                 user or query"
            ));
        }
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default().to_owned(),
            None => authority.split(':').next().unwrap_or_default().to_owned(),
        };
        let scheme = if https { "https" } else { "http" };
        Ok(Self {
            https,
            host,
            origin: format!("{scheme}://{authority}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_url_is_an_origin() {
        let url = PublicUrl::parse("https://Console.Bank.example:8443/").unwrap();
        assert_eq!(
            (url.https, url.host.as_str(), url.origin.as_str()),
            (
                true,
                "console.bank.example",
                "https://console.bank.example:8443"
            )
        );
        let url = PublicUrl::parse("http://[::1]:8080").unwrap();
        assert_eq!((url.https, url.host.as_str()), (false, "::1"));
        for bad in [
            "console.example",
            "https://",
            "https://x.example/console/",
            "https://u@x.example",
            "ftp://x.example",
        ] {
            assert!(PublicUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn decisions_are_codes_and_labels() {
        let vars = HashMap::new();
        let config: ConsoleConfig = load_config(Some(&vars)).unwrap();
        assert_eq!(
            config.event_decisions,
            "1:False positive,2:Escalate,3:True positive"
        );
        let parsed = parse_decisions(&config.event_decisions).unwrap();
        assert_eq!(
            parsed
                .iter()
                .map(|d| (d.code, d.label.as_str()))
                .collect::<Vec<_>>(),
            [(1, "False positive"), (2, "Escalate"), (3, "True positive")]
        );
        for bad in ["", "1", "x:Label", "1:", "1:a,1:b", "1000000000:Big"] {
            assert!(parse_decisions(bad).is_err(), "{bad}");
        }
    }
}
