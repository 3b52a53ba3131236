//! Idempotency-Keys expire, and claims are leased (issue 17, finding 9 in
//! part): a claim its process left behind (killed mid-request) is taken
//! over by one retry once its lease is over, and a key past its time to
//! live does the work again.

use crate::helpers::User;
use crate::helpers::{profile, spawn_with};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Digest;
use testkit::{backend_tests, call, faults, Backend, TestApp};

const CREATE: &str = "PersonalInfo/createProspectProfile";

/// Leaves the claim a killed process would: `subject`'s `key` claimed for
/// `body` in 2000, never answered.
fn abandoned_claim(app: &TestApp, subject: &str, key: &str, body: &Value) {
    let fingerprint = hex::encode(sha2::Sha256::digest(
        serde_json::to_vec(body).expect("json"),
    ));
    faults::execute(
        app.backend,
        &app.vars["USER_ACTION_DATABASE_URL"],
        &format!(
            "INSERT INTO idempotency_keys (owner_subject, operation, idem_key, fingerprint, created_at)
             VALUES ('{subject}', 'createProspectProfile', '{key}', '{fingerprint}', '2000-01-01T00:00:00.000000Z')"
        ),
    );
}

/// The ids of the parties with `last_name`.
async fn parties(app: &TestApp, last_name: &str) -> Vec<Value> {
    let path = format!("/party/v1/parties?lastName={last_name}");
    let (_, page) = call(app.internal(reqwest::Method::GET, &path)).await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| p["id"].clone())
        .collect()
}

fn created(answer: &Value) -> Value {
    json!({"Application_id": answer["Application_id"], "Party_Id": answer["Party_Id"],
           "opstatus": 0, "httpStatusCode": 200})
}

async fn an_abandoned_claim_is_taken_over_after_its_lease(backend: Backend) {
    let app = spawn_with(backend, &[]).await;
    let user = User::new(&app, "survivor");
    let body = profile("Lease", "Expired");
    abandoned_claim(&app, "survivor", "stuck-1", &body);
    let started = std::time::Instant::now();
    let (status, answer) = call(
        user.request(CREATE)
            .header("Idempotency-Key", "stuck-1")
            .json(&body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer, created(&answer));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "taken over at once, not after waiting for the claim"
    );
    assert_eq!(
        parties(&app, "Expired").await,
        vec![answer["Party_Id"].clone()]
    );
    let repeat = call(
        user.request(CREATE)
            .header("Idempotency-Key", "stuck-1")
            .json(&body),
    )
    .await;
    assert_eq!(
        repeat,
        (StatusCode::OK, answer),
        "the taker's answer is kept"
    );
}

async fn racing_takeovers_do_the_work_once(backend: Backend) {
    let app = spawn_with(backend, &[]).await;
    let user = User::new(&app, "racer");
    let body = profile("Racing", "Retries");
    abandoned_claim(&app, "racer", "stuck-2", &body);
    let send = || {
        call(
            user.request(CREATE)
                .header("Idempotency-Key", "stuck-2")
                .json(&body),
        )
    };
    let answers = futures_util::future::join_all((0..4).map(|_| send())).await;
    for answer in &answers {
        assert_eq!(answer.0, StatusCode::OK, "{answers:?}");
        assert_eq!(answer, &answers[0], "one answer for all: {answers:?}");
    }
    assert_eq!(answers[0].1, created(&answers[0].1));
    assert_eq!(
        parties(&app, "Retries").await,
        vec![answers[0].1["Party_Id"].clone()],
        "one party"
    );
}

async fn an_expired_key_does_the_work_again(backend: Backend) {
    let app = spawn_with(
        backend,
        &[
            ("USER_ACTION_IDEMPOTENCY_TTL_SECS", "3"),
            ("USER_ACTION_IDEMPOTENCY_LEASE_SECS", "1"),
        ],
    )
    .await;
    let user = User::new(&app, "returner");
    let body = profile("Key", "Expiry");
    let send = || {
        call(
            user.request(CREATE)
                .header("Idempotency-Key", "short-lived")
                .json(&body),
        )
    };
    let (status, first) = send().await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(
        send().await,
        (StatusCode::OK, first.clone()),
        "within its time to live"
    );
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    let (status, second) = send().await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second, created(&second));
    assert_ne!(
        second["Application_id"], first["Application_id"],
        "done again"
    );
    assert_eq!(
        send().await,
        (StatusCode::OK, second.clone()),
        "and kept anew"
    );
    assert_eq!(parties(&app, "Expiry").await.len(), 2);
}

backend_tests!(
    an_abandoned_claim_is_taken_over_after_its_lease,
    racing_takeovers_do_the_work_once,
    an_expired_key_does_the_work_again,
);
