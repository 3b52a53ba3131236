//! Sending to a real receiver started by the test, which verifies each
//! signature itself (`testkit::webhooks`).

use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;
use std::time::{Duration, Instant};
use testkit::webhooks::{Answer, Receiver, TOLERANCE_SECS};
use webhooks::{FailureClass, Policy, SendOutcome, Subscriptions, Webhooks};

const OLD: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const NEW: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER: &str = "whsec_ZXhhbXBsZS1vbmx5LW5vdC1hLXJlYWwtc2VjcmV0LTE=";
const EVENT_ID: &str = "0b5e7c1e-4f7a-4d43-9a59-2f1b0c6d9e11";
const KIND: &str = "application.approved";

/// What the tests' receivers are allowed: plain http to 127.0.0.1.
fn local() -> Policy {
    Policy {
        allow_private: true,
        allow_http: true,
        timeout: Duration::from_secs(5),
    }
}

/// The policy of a production run, but for plain http (the test
/// receivers have no certificate).
fn strict() -> Policy {
    Policy {
        allow_private: false,
        ..local()
    }
}

/// One subscription, `receiver`, to `url`, signed with `secrets`,
/// sent under `policy`.
fn webhooks(url: &str, secrets: &[&str], policy: &Policy) -> Webhooks {
    let file = json!([{
        "name": "receiver", "url": url, "events": [KIND, "case.opened"], "secrets": secrets,
    }]);
    let subscriptions = Subscriptions::parse(&file.to_string(), &local()).unwrap();
    Webhooks::new(subscriptions, policy).unwrap()
}

/// A receiver knowing `knows`, answering `answer`, and webhooks to it
/// signed with `signs`.
async fn receiving(
    knows: &[&str],
    answer: Answer,
    signs: &[&str],
    policy: &Policy,
) -> (Receiver, Webhooks) {
    let receiver = Receiver::start(knows, answer).await;
    let hooks = webhooks(&format!("http://{}/hooks", receiver.addr), signs, policy);
    (receiver, hooks)
}

fn occurred_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 9, 30, 5).unwrap()
}

fn data() -> serde_json::Value {
    json!({"applicationId": "APP-1", "status": "Approved", "caseId": "C-7"})
}

const BODY: &str = r#"{"type":"application.approved","timestamp":"2026-12-07T09:30:05.000Z","data":{"applicationId":"APP-1","caseId":"C-7","status":"Approved"}}"#;

async fn send(hooks: &Webhooks, now: DateTime<Utc>) -> SendOutcome {
    let subscription = hooks.subscription("receiver").unwrap();
    hooks
        .send(subscription, EVENT_ID, KIND, occurred_at(), &data(), now)
        .await
}

fn failed(class: FailureClass, status: Option<u16>, retryable: bool, detail: &str) -> SendOutcome {
    SendOutcome::Failed {
        class,
        status,
        retryable,
        detail: detail.into(),
    }
}

/// A failed outcome's class, status, retryability and detail.
fn failure(outcome: &SendOutcome) -> (FailureClass, Option<u16>, bool, &str) {
    match outcome {
        SendOutcome::Failed {
            class,
            status,
            retryable,
            detail,
        } => (*class, *status, *retryable, detail),
        SendOutcome::Delivered { .. } => panic!("{outcome:?}"),
    }
}

#[tokio::test]
async fn delivered_and_verified() {
    let (receiver, hooks) = receiving(&[NEW], Answer::Status(204), &[NEW], &local()).await;
    let now = Utc::now();

    let outcome = send(&hooks, now).await;

    assert_eq!(outcome, SendOutcome::Delivered { status: 204 });
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let got = &received[0];
    assert_eq!(got.verified, Ok(0));
    assert_eq!(got.path, "/hooks");
    assert_eq!(got.body, BODY);
    assert_eq!(got.headers["webhook-id"], EVENT_ID);
    assert_eq!(
        got.headers["webhook-timestamp"],
        now.timestamp().to_string()
    );
    assert_eq!(got.headers["content-type"], "application/json");
    assert_eq!(got.headers["webhook-signature"].matches("v1,").count(), 1);
}

#[tokio::test]
async fn a_retry_carries_the_same_id_and_its_own_timestamp() {
    let (receiver, hooks) = receiving(&[NEW], Answer::Status(200), &[NEW], &local()).await;
    let first = Utc::now() - chrono::Duration::seconds(90);

    assert!(send(&hooks, first).await.is_delivered());
    assert!(send(&hooks, Utc::now()).await.is_delivered());

    let received = receiver.received();
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[0].headers["webhook-id"],
        received[1].headers["webhook-id"]
    );
    assert_ne!(
        received[0].headers["webhook-timestamp"],
        received[1].headers["webhook-timestamp"]
    );
    assert_eq!(received[0].body, received[1].body);
    assert!(received.iter().all(|r| r.verified == Ok(0)));
}

#[tokio::test]
async fn during_a_rotation_both_secrets_sign() {
    for knows in [NEW, OLD] {
        let (receiver, hooks) =
            receiving(&[knows], Answer::Status(204), &[OLD, NEW], &local()).await;

        assert_eq!(
            send(&hooks, Utc::now()).await,
            SendOutcome::Delivered { status: 204 }
        );

        let received = receiver.received();
        assert_eq!(received[0].verified, Ok(0), "a receiver knowing {knows}");
        assert_eq!(
            received[0].headers["webhook-signature"]
                .matches("v1,")
                .count(),
            2
        );
    }
}

#[tokio::test]
async fn a_receiver_refuses_an_unknown_secret_and_a_stale_timestamp() {
    let (receiver, hooks) = receiving(&[OTHER], Answer::Status(204), &[OLD, NEW], &local()).await;
    assert_eq!(
        send(&hooks, Utc::now()).await,
        failed(
            FailureClass::HttpStatus,
            Some(401),
            true,
            "the receiver answered 401"
        )
    );
    assert_eq!(
        receiver.received()[0].verified,
        Err("no signature matches".into())
    );

    let (receiver, hooks) = receiving(&[NEW], Answer::Status(204), &[NEW], &local()).await;
    let stale = Utc::now() - chrono::Duration::seconds(TOLERANCE_SECS + 60);
    assert_eq!(send(&hooks, stale).await.status(), Some(401));
    assert_eq!(
        receiver.received()[0].verified,
        Err("the timestamp is outside the tolerance".into())
    );
}

#[tokio::test]
async fn any_other_status_fails_and_may_be_retried() {
    for status in [400, 404, 410, 429, 500, 503] {
        let (receiver, hooks) = receiving(&[NEW], Answer::Status(status), &[NEW], &local()).await;
        assert_eq!(
            send(&hooks, Utc::now()).await,
            failed(
                FailureClass::HttpStatus,
                Some(status),
                true,
                &format!("the receiver answered {status}")
            )
        );
        assert_eq!(receiver.received()[0].verified, Ok(0));
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let (receiver, hooks) = receiving(&[NEW], Answer::Redirect, &[NEW], &local()).await;

    let outcome = send(&hooks, Utc::now()).await;

    assert_eq!(
        outcome,
        failed(
            FailureClass::Redirect,
            Some(302),
            true,
            "redirects are not followed"
        )
    );
    let paths: Vec<String> = receiver.received().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/hooks"]);
}

#[tokio::test]
async fn loopback_is_refused_unless_allowed() {
    let receiver = Receiver::start(&[NEW], Answer::Status(204)).await;
    let port = receiver.addr.port();

    // A name that resolves to loopback: refused by the resolver.
    let by_name = webhooks(&format!("http://localhost:{port}/hooks"), &[NEW], &strict());
    let outcome = send(&by_name, Utc::now()).await;
    let (class, status, retryable, detail) = failure(&outcome);
    assert_eq!(
        (class, status, retryable),
        (FailureClass::BlockedAddress, None, false)
    );
    assert!(
        [
            "the host is or resolves to 127.0.0.1, a loopback address (allowed only with WEBHOOKS_ALLOW_PRIVATE=true)",
            "the host is or resolves to ::1, a loopback address (allowed only with WEBHOOKS_ALLOW_PRIVATE=true)",
        ]
        .contains(&detail),
        "{detail}"
    );
    assert_eq!(outcome.as_str(), "blocked_address");

    // An address written in the URL, which no resolver sees.
    let by_address = webhooks(&format!("http://127.0.0.1:{port}/hooks"), &[NEW], &strict());
    assert_eq!(
        send(&by_address, Utc::now()).await,
        failed(
            FailureClass::BlockedAddress,
            None,
            false,
            "the host is or resolves to 127.0.0.1, a loopback address (allowed only with WEBHOOKS_ALLOW_PRIVATE=true)"
        )
    );
    let mapped = webhooks(
        &format!("http://[::ffff:127.0.0.1]:{port}/hooks"),
        &[NEW],
        &strict(),
    );
    assert_eq!(
        send(&mapped, Utc::now()).await,
        failed(
            FailureClass::BlockedAddress,
            None,
            false,
            "the host is or resolves to ::ffff:127.0.0.1, a loopback address (allowed only with WEBHOOKS_ALLOW_PRIVATE=true)"
        )
    );
    assert!(receiver.received().is_empty());

    // The operator's opt-in.
    let allowed = webhooks(&format!("http://localhost:{port}/hooks"), &[NEW], &local());
    assert_eq!(
        send(&allowed, Utc::now()).await,
        SendOutcome::Delivered { status: 204 }
    );
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn a_slow_receiver_times_out() {
    let policy = Policy {
        timeout: Duration::from_millis(500),
        ..local()
    };
    let (receiver, hooks) = receiving(&[NEW], Answer::Hang, &[NEW], &policy).await;

    let started = Instant::now();
    let outcome = send(&hooks, Utc::now()).await;

    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let (class, status, retryable, detail) = failure(&outcome);
    assert_eq!(
        (class, status, retryable),
        (FailureClass::Timeout, None, true),
        "{detail}"
    );
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn a_closed_port_and_an_unknown_host_fail_and_may_be_retried() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = listener.local_addr().unwrap();
    drop(listener);
    let hooks = webhooks(&format!("http://{closed}/hooks"), &[NEW], &local());
    let outcome = send(&hooks, Utc::now()).await;
    let (class, status, retryable, detail) = failure(&outcome);
    assert_eq!(
        (class, status, retryable),
        (FailureClass::Connect, None, true),
        "{detail}"
    );
    assert!(!detail.contains("/hooks"), "{detail}");

    // RFC 6761: `.invalid` never resolves.
    let hooks = webhooks(
        "http://no-such-receiver.invalid/hooks?token=t0p",
        &[NEW],
        &local(),
    );
    let outcome = send(&hooks, Utc::now()).await;
    let (class, status, retryable, detail) = failure(&outcome);
    assert_eq!(
        (class, status, retryable),
        (FailureClass::Dns, None, true),
        "{detail}"
    );
    assert!(detail.starts_with("the host did not resolve: "), "{detail}");
    assert!(!detail.contains("t0p"), "{detail}");
}

#[tokio::test]
async fn an_event_the_subscription_did_not_ask_for_is_not_sent() {
    let (receiver, hooks) = receiving(&[NEW], Answer::Status(204), &[NEW], &local()).await;
    let subscription = hooks.subscription("receiver").unwrap();
    let now = Utc::now();

    let other_kind = hooks
        .send(
            subscription,
            EVENT_ID,
            "rm.notified",
            occurred_at(),
            &data(),
            now,
        )
        .await;
    assert_eq!(
        other_kind,
        failed(
            FailureClass::InvalidEvent,
            None,
            false,
            "the subscription does not receive this kind"
        )
    );
    for bad_id in ["", "msg.1", "a b", &"x".repeat(129)] {
        let outcome = hooks
            .send(subscription, bad_id, KIND, occurred_at(), &data(), now)
            .await;
        assert_eq!(
            outcome,
            failed(
                FailureClass::InvalidEvent,
                None,
                false,
                "the event id must be 1 to 128 letters, digits, `_` or `-`"
            ),
            "{bad_id}"
        );
    }
    let huge = json!({"note": "x".repeat(webhooks::MAX_BODY_BYTES)});
    let outcome = hooks
        .send(subscription, EVENT_ID, KIND, occurred_at(), &huge, now)
        .await;
    assert_eq!(outcome.as_str(), "invalid_event");
    assert!(!outcome.retryable());
    assert!(receiver.received().is_empty());
    assert_eq!(
        hooks
            .subscribers("case.opened")
            .map(|s| s.name())
            .collect::<Vec<_>>(),
        ["receiver"]
    );
}
