//! The subscriptions file: what the operator may write, and what stops the
//! start, with an error naming the subscription and the field.

use std::time::Duration;
use webhooks::{ConfigError, Policy, Subscriptions, Webhooks, WebhooksConfig};

const OLD: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const NEW: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn strict() -> Policy {
    Policy::default()
}

fn one(fields: &str) -> String {
    format!("[{fields}]")
}

#[test]
fn a_good_file() {
    let text = format!(
        r#"[
          {{"name": "core-banking", "url": "https://core.bank.example/hooks?token=t0p",
            "events": ["application.approved", "application.rejected"], "secrets": ["{OLD}", "{NEW}"]}},
          {{"name": "crm", "url": "https://crm.example.com/in",
            "events": ["application.submitted", "application.approved"], "secrets": ["{NEW}"]}}
        ]"#
    );
    let subscriptions = Subscriptions::parse(&text, &strict()).unwrap();
    assert_eq!(subscriptions.len(), 2);
    let names = |kind| {
        subscriptions
            .subscribers(kind)
            .map(|s| s.name().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(names("application.approved"), ["core-banking", "crm"]);
    assert_eq!(names("application.submitted"), ["crm"]);
    assert!(names("case.opened").is_empty());
    assert!(names("evidence.added").is_empty());
    assert_eq!(
        subscriptions.get("crm").unwrap().events(),
        ["application.submitted", "application.approved"]
    );
}

#[test]
fn debug_shows_no_secret_and_no_query() {
    let text = one(&format!(
        r#"{{"name": "core-banking", "url": "https://core.bank.example/hooks?token=t0p#x",
             "events": ["application.approved"], "secrets": ["{OLD}", "{NEW}"]}}"#
    ));
    let subscriptions = Subscriptions::parse(&text, &strict()).unwrap();
    let shown = format!("{:?}", subscriptions.get("core-banking").unwrap());
    assert_eq!(
        shown,
        r#"Subscription { name: "core-banking", url: "https://core.bank.example/hooks", events: ["application.approved"], secrets: [whsec_***, whsec_***] }"#
    );
    let all = format!(
        "{subscriptions:?} {:?}",
        Webhooks::new(subscriptions.clone(), &strict()).unwrap()
    );
    for secret in [OLD, NEW] {
        assert!(!all.contains(&secret[6..]), "{all}");
    }
    assert!(!all.contains("t0p"), "{all}");
}

#[test]
fn bad_files_name_the_subscription_and_the_field() {
    let ok = |name: &str| {
        format!(
            r#"{{"name": "{name}", "url": "https://a.example/", "events": ["case.opened"], "secrets": ["{NEW}"]}}"#
        )
    };
    let with = |field: &str, value: &str| {
        let mut fields = serde_json::json!({
            "name": "crm", "url": "https://a.example/", "events": ["case.opened"], "secrets": [NEW]
        });
        fields[field] = serde_json::from_str(value).unwrap();
        one(&fields.to_string())
    };
    let kinds = "application.submitted, application.approved, application.rejected, application.withdrawn, case.opened, case.status_changed, evidence.rejected, rm.notified";
    let long_secret = format!("\"whsec_{}\"", "A".repeat(88));
    let cases: Vec<(String, String)> = vec![
        ("{".into(), "is not valid JSON: EOF while parsing an object at line 1 column 1".into()),
        (r#"{"name": "crm"}"#.into(), "must be a JSON list of subscriptions".into()),
        (one("42"), "subscription 1: subscription: must be a JSON object".into()),
        (
            one(&format!(r#"{{"name": "crm", "url": "https://a.example/", "events": ["case.opened"], "secret": ["{NEW}"]}}"#)),
            "subscription 1 \"crm\": subscription: has an unknown field `secret`; the fields are name, url, events, secrets".into(),
        ),
        (
            one(r#"{"url": "https://a.example/", "events": ["case.opened"], "secrets": []}"#),
            "subscription 1: name: is required".into(),
        ),
        (with("name", "7"), "subscription 1: name: must be a string".into()),
        (
            with("name", "\"core banking\""),
            "subscription 1: name: must be 1 to 64 letters, digits, `.`, `_` or `-`, starting with a letter or digit".into(),
        ),
        (
            with("name", "\"\""),
            "subscription 1: name: must be 1 to 64 letters, digits, `.`, `_` or `-`, starting with a letter or digit".into(),
        ),
        (
            with("name", &format!("\"{}\"", "a".repeat(65))),
            "subscription 1: name: must be 1 to 64 letters, digits, `.`, `_` or `-`, starting with a letter or digit".into(),
        ),
        (
            format!("[{}, {}]", ok("crm"), ok("CRM")),
            "subscription 2 \"CRM\": name: is used by an earlier subscription".into(),
        ),
        (with("url", "\"/hooks\""), "subscription 1 \"crm\": url: is not an absolute URL".into()),
        (with("url", "\"ftp://a.example/\""), "subscription 1 \"crm\": url: must be an https URL".into()),
        (
            with("url", "\"http://a.example/\""),
            "subscription 1 \"crm\": url: must be https (plain http only with WEBHOOKS_ALLOW_HTTP=true)".into(),
        ),
        (
            with("url", "\"https://user:pw@a.example/\""),
            "subscription 1 \"crm\": url: must not carry credentials (`user:password@`); the signature authenticates the sender".into(),
        ),
        (
            with("url", "\"https://127.0.0.1:8443/\""),
            "subscription 1 \"crm\": url: is a loopback address (allowed only with WEBHOOKS_ALLOW_PRIVATE=true)".into(),
        ),
        (
            with("url", "\"https://169.254.169.254/latest/meta-data\""),
            "subscription 1 \"crm\": url: is a link-local address (allowed only with WEBHOOKS_ALLOW_PRIVATE=true)".into(),
        ),
        (
            with("url", "\"https://[::ffff:10.0.0.1]/\""),
            "subscription 1 \"crm\": url: is a private address (allowed only with WEBHOOKS_ALLOW_PRIVATE=true)".into(),
        ),
        (
            with("url", &format!("\"https://a.example/{}\"", "x".repeat(2048))),
            "subscription 1 \"crm\": url: is longer than 2048 characters".into(),
        ),
        (with("events", "[]"), format!("subscription 1 \"crm\": events: must name at least one of {kinds}")),
        (with("events", "\"case.opened\""), "subscription 1 \"crm\": events: must be a list of event kinds".into()),
        (
            with("events", r#"["case.opened", "evidence.added"]"#),
            format!("subscription 1 \"crm\": events: item 2: must be one of {kinds}"),
        ),
        (
            with("events", r#"["case.opened", "case.opened"]"#),
            "subscription 1 \"crm\": events: item 2: names case.opened twice".into(),
        ),
        (
            with("secrets", "[]"),
            "subscription 1 \"crm\": secrets: must be a list of 1 or 2 secrets (2 during a rotation)".into(),
        ),
        (
            with("secrets", &format!(r#"["{OLD}", "{NEW}", "{OLD}"]"#)),
            "subscription 1 \"crm\": secrets: must be a list of 1 or 2 secrets (2 during a rotation)".into(),
        ),
        (
            with("secrets", &format!(r#"["{}"]"#, &NEW[6..])),
            "subscription 1 \"crm\": secrets: item 1: must start with `whsec_`".into(),
        ),
        (
            with("secrets", r#"["whsec_c2hvcnQ="]"#),
            "subscription 1 \"crm\": secrets: item 1: must decode to 24 to 64 bytes, not 5".into(),
        ),
        (
            with("secrets", &format!("[\"{NEW}\", {long_secret}]")),
            "subscription 1 \"crm\": secrets: item 2: must decode to 24 to 64 bytes, not 66".into(),
        ),
        (
            with("secrets", r#"["whsec_%%%"]"#),
            "subscription 1 \"crm\": secrets: item 1: must be `whsec_` and standard base64".into(),
        ),
        (
            with("secrets", &format!(r#"["{NEW}", "{NEW}"]"#)),
            "subscription 1 \"crm\": secrets: item 2: repeats the one before".into(),
        ),
        (with("secrets", "[7]"), "subscription 1 \"crm\": secrets: item 1: must be a string".into()),
        (
            format!("[{}]", (0..101).map(|i| ok(&format!("s{i}"))).collect::<Vec<_>>().join(",")),
            "holds 101 subscriptions, more than 100".into(),
        ),
    ];
    for (text, why) in cases {
        let shown: String = text.chars().take(120).collect();
        assert_eq!(
            Subscriptions::parse(&text, &strict()).unwrap_err(),
            why,
            "{shown}"
        );
        assert!(
            !why.contains(&NEW[6..]) && !why.contains(&OLD[6..]),
            "{why}"
        );
    }
}

#[test]
fn the_operator_may_allow_http_and_private_addresses() {
    let text = one(&format!(
        r#"{{"name": "in-cluster", "url": "http://10.0.0.7:8080/hooks", "events": ["case.opened"], "secrets": ["{NEW}"]}}"#
    ));
    let allow_http = Policy {
        allow_http: true,
        ..strict()
    };
    assert_eq!(
        Subscriptions::parse(&text, &allow_http).unwrap_err(),
        "subscription 1 \"in-cluster\": url: is a private address (allowed only with WEBHOOKS_ALLOW_PRIVATE=true)"
    );
    let both = Policy {
        allow_private: true,
        ..allow_http
    };
    assert_eq!(Subscriptions::parse(&text, &both).unwrap().len(), 1);
}

fn config(file: Option<std::path::PathBuf>) -> WebhooksConfig {
    WebhooksConfig {
        file,
        allow_private: false,
        allow_http: false,
        timeout_secs: 15,
    }
}

#[test]
fn from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("webhooks.json");

    let none = Webhooks::from_config(&config(None)).unwrap();
    assert!(none.subscriptions().is_empty());

    std::fs::write(
        &path,
        one(&format!(r#"{{"name": "crm", "url": "https://crm.example.com/", "events": ["rm.notified"], "secrets": ["{NEW}"]}}"#)),
    )
    .unwrap();
    let loaded = Webhooks::from_config(&config(Some(path.clone()))).unwrap();
    assert_eq!(
        loaded
            .subscribers("rm.notified")
            .map(|s| s.name())
            .collect::<Vec<_>>(),
        ["crm"]
    );
    assert_eq!(loaded.subscription("crm").unwrap().name(), "crm");
    assert!(loaded.subscription("other").is_none());

    std::fs::write(&path, one(r#"{"name": "crm"}"#)).unwrap();
    let error = Webhooks::from_config(&config(Some(path.clone()))).unwrap_err();
    assert_eq!(
        error.to_string(),
        "WEBHOOKS_FILE subscription 1 \"crm\": url: is required"
    );

    std::fs::write(&path, " ".repeat(1024 * 1024 + 1)).unwrap();
    let error = Webhooks::from_config(&config(Some(path.clone()))).unwrap_err();
    assert_eq!(
        error,
        ConfigError {
            variable: "WEBHOOKS_FILE",
            why: "is larger than 1048576 bytes".into()
        }
    );

    let missing = dir.path().join("missing.json");
    let error = Webhooks::from_config(&config(Some(missing))).unwrap_err();
    assert_eq!(
        error.to_string(),
        "WEBHOOKS_FILE cannot be read: No such file or directory (os error 2)"
    );

    for secs in [0, 61] {
        let error = Webhooks::from_config(&WebhooksConfig {
            timeout_secs: secs,
            ..config(None)
        })
        .unwrap_err();
        assert_eq!(error.to_string(), "WEBHOOKS_TIMEOUT_SECS must be 1 to 60");
    }
    let policy = WebhooksConfig {
        timeout_secs: 30,
        allow_private: true,
        ..config(None)
    }
    .policy()
    .unwrap();
    assert_eq!(
        policy,
        Policy {
            allow_private: true,
            allow_http: false,
            timeout: Duration::from_secs(30)
        }
    );
}

#[test]
fn the_example_file_is_valid() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/webhooks.example.json"
    ))
    .unwrap();
    let subscriptions = Subscriptions::parse(&text, &strict()).unwrap();
    assert!(!subscriptions.is_empty());
}
