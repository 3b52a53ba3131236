//! Where the console refuses to start: a session cookie that would cross
//! the network in clear, or limits out of range. Each refusal names the
//! variable.

use service_kit::server::Context;
use service_kit::ServerConfig;
use std::collections::HashMap;

/// Why the console does not start with `pairs` (on top of a data
/// directory and the secrets a server others can reach needs).
fn refusal(pairs: &[(&str, &str)]) -> String {
    let data_dir = tempfile::tempdir().expect("a data directory");
    let mut vars: HashMap<String, String> = [
        ("DATA_DIR", data_dir.path().display().to_string()),
        ("INTERNAL_CREDENTIAL", testkit::TEST_CREDENTIAL.to_owned()),
        ("ENCRYPTION_KEYS", testkit::KEY_A.to_owned()),
        ("BLIND_INDEX_KEY", testkit::BLIND_INDEX_KEY.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    vars.extend(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let config = ServerConfig::load(Some(&vars)).expect("the chassis's configuration");
    let ctx = Context::new(config, 8080, false).expect("a context");
    match console::service(&ctx, Some(&vars)) {
        Ok(_) => panic!("the console started with {pairs:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn plain_http_off_loopback_refuses_to_start_naming_the_variable() {
    assert_eq!(
        refusal(&[("HOST", "0.0.0.0")]),
        "configuration: CONSOLE_PUBLIC_URL is required when HOST (0.0.0.0) is not a loopback \
         address: the console must know the https:// origin browsers use"
    );
    assert_eq!(
        refusal(&[
            ("HOST", "0.0.0.0"),
            ("CONSOLE_PUBLIC_URL", "http://console.bank.example")
        ]),
        "configuration: CONSOLE_PUBLIC_URL (http://console.bank.example) must be https:// \
         unless its host is a loopback address: the session cookie would cross the network in \
         clear"
    );
    assert_eq!(
        refusal(&[(
            "CONSOLE_PUBLIC_URL",
            "https://console.bank.example/console/"
        )]),
        "configuration: CONSOLE_PUBLIC_URL (https://console.bank.example/console/) must be a \
         scheme and a host (and a port), with no path, user or query"
    );
}

#[test]
fn session_lifetimes_out_of_range_are_refused() {
    assert_eq!(
        refusal(&[("CONSOLE_SESSION_IDLE_SECS", "59")]),
        "configuration: CONSOLE_SESSION_IDLE_SECS must be from 60 to 86400"
    );
    assert_eq!(
        refusal(&[
            ("CONSOLE_SESSION_IDLE_SECS", "3600"),
            ("CONSOLE_SESSION_MAX_SECS", "600")
        ]),
        "configuration: CONSOLE_SESSION_MAX_SECS must be from CONSOLE_SESSION_IDLE_SECS (3600) \
         to 604800"
    );
    assert_eq!(
        refusal(&[("CONSOLE_SESSION_MAX_SECS", "a week")]),
        "configuration: CONSOLE_SESSION_MAX_SECS has a value that cannot be parsed"
    );
}

#[test]
fn an_openid_provider_set_up_by_halves_or_in_clear_is_refused() {
    assert_eq!(
        refusal(&[("CONSOLE_OIDC_ISSUER", "https://login.bank.example")]),
        "configuration: CONSOLE_OIDC_CLIENT_ID is required when CONSOLE_OIDC_ISSUER is set"
    );
    assert_eq!(
        refusal(&[("CONSOLE_OIDC_CLIENT_ID", "console")]),
        "configuration: CONSOLE_OIDC_ISSUER is required when CONSOLE_OIDC_CLIENT_ID is set"
    );
    let issuer = |issuer| {
        refusal(&[
            ("CONSOLE_OIDC_ISSUER", issuer),
            ("CONSOLE_OIDC_CLIENT_ID", "console"),
        ])
    };
    assert_eq!(
        issuer("http://login.bank.example"),
        "configuration: CONSOLE_OIDC_ISSUER (http://login.bank.example) must be https:// \
         unless its host is a loopback address"
    );
    assert_eq!(
        issuer("login.bank.example"),
        "configuration: CONSOLE_OIDC_ISSUER (login.bank.example) must start with https://"
    );
    assert_eq!(
        refusal(&[
            ("CONSOLE_OIDC_ISSUER", "https://login.bank.example"),
            ("CONSOLE_OIDC_CLIENT_ID", "console"),
            ("CONSOLE_OIDC_SCOPES", "profile roles"),
        ]),
        "configuration: CONSOLE_OIDC_SCOPES (profile roles) must include openid"
    );
    assert_eq!(
        refusal(&[
            ("CONSOLE_OIDC_ISSUER", "https://login.bank.example"),
            ("CONSOLE_OIDC_CLIENT_ID", "console"),
            ("CONSOLE_OIDC_ROLES_CLAIM", " "),
        ]),
        "configuration: CONSOLE_OIDC_ROLES_CLAIM must name a claim"
    );
}
