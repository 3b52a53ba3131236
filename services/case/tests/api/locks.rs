//! Case locks: one writer at a time. A lock contested by two analysts goes
//! to exactly one; while it is held every change by anyone else is refused
//! with the vendor's 409 and changes nothing; the holder's own changes go
//! through; it expires by itself; only the holder releases it.

use crate::description::audited;
use crate::helpers::{
    case_answer, case_details, create_cases, customer, post, spawn_with, token, writer, ANALYST,
};
use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{backend_tests, Backend, TestApp};

/// Another analyst.
const OTHER: &str = "analyst-9";

fn other(app: &TestApp) -> String {
    token(app, OTHER, &["case:write"])
}

fn locked_by(who: &str, case_id: &str) -> Value {
    case_answer(
        &format!("Case is locked by another user {who}."),
        "FAILED",
        case_id,
    )
}

/// Locks `case_id` with `token`, asserting the whole answer: `holder`
/// holds it for `seconds` from now. The lock.
async fn lock(app: &TestApp, token: &str, case_id: &str, holder: &str, seconds: i64) -> Value {
    let (status, answer) = post(app, token, "lockCase", &json!({"caseId": case_id})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let lock = answer["lock"].clone();
    assert_lasts(&lock, seconds);
    assert_eq!(
        answer,
        json!({"MESSAGE": "Case locked successfully.", "STATUS": "SUCCESS", "caseId": case_id,
               "lock": {"lockedBy": holder, "lockedAt": lock["lockedAt"], "lockedUntil": lock["lockedUntil"]}})
    );
    lock
}

/// `lock` ends `seconds` after now (within a few seconds).
fn assert_lasts(lock: &Value, seconds: i64) {
    let time = |field: &str| {
        chrono::DateTime::parse_from_rfc3339(lock[field].as_str().expect("a time"))
            .expect("RFC 3339")
    };
    let left = time("lockedUntil") - chrono::Utc::now().fixed_offset();
    assert!(
        (seconds - 5..=seconds).contains(&left.num_seconds()),
        "{lock} lasts {seconds}s"
    );
    assert!(time("lockedAt") <= time("lockedUntil"), "{lock}");
}

async fn a_contested_lock_goes_to_exactly_one(backend: Backend) {
    let app = spawn_with(backend, &[]).await;
    create_cases(&app, &["CA900"]).await;
    let analysts = ["analyst-a", "analyst-b", "analyst-c", "analyst-d"];
    let tokens: Vec<String> = analysts
        .iter()
        .map(|a| token(&app, a, &["case:write"]))
        .collect();
    let body = json!({"caseId": "CA900"});
    let answers = join_all(tokens.iter().map(|t| post(&app, t, "lockCase", &body))).await;
    let winners: Vec<usize> = (0..answers.len())
        .filter(|&i| answers[i].0 == StatusCode::OK)
        .collect();
    assert_eq!(winners.len(), 1, "{answers:#?}");
    let winner = analysts[winners[0]];
    for (i, answer) in answers.iter().enumerate() {
        if i != winners[0] {
            assert_eq!(answer, &(StatusCode::CONFLICT, locked_by(winner, "CA900")));
        }
    }
    assert_eq!(
        case_details(&app, "CA900").await["lock"]["lockedBy"],
        json!(winner)
    );
    let taken = audited(&app, "CA900", "lockTaken").await;
    assert_eq!(taken.len(), 1, "{taken:?}");
    assert_eq!(taken[0]["actor"], json!(winner));
}

async fn writes_by_others_are_refused_while_the_holder_writes(backend: Backend) {
    let app = spawn_with(backend, &[]).await;
    create_cases(&app, &["CA901", "CA902"]).await;
    let holder = writer(&app);
    let intruder = other(&app);
    assert_eq!(
        post(
            &app,
            &holder,
            "addCustomer",
            &json!([{"caseId": "CA901", "customers": [customer("C1")]}])
        )
        .await
        .0,
        StatusCode::OK
    );
    let lock = lock(&app, &holder, "CA901", ANALYST, 900).await;
    let before = case_details(&app, "CA901").await;
    assert_eq!(before["lock"], lock);
    let trail_before = audited(&app, "CA901", "customerAdded").await.len();

    let refused = format!("Case is locked by another user {ANALYST}.");
    let customers_refused = |message: &str, ids: &[&str]| {
        let lines: Vec<Value> = ids
            .iter()
            .map(|id| json!({"MESSAGE": refused, "STATUS": "FAILED", "customerId": id}))
            .collect();
        json!({"MESSAGE": message, "STATUS": "FAILED",
               "RESULTARRAY": [{"MESSAGE": refused, "STATUS": "FAILED", "caseId": "CA901", "customers": lines}]})
    };
    let cases_refused = |message: &str| json!({"MESSAGE": message, "STATUS": "FAILED", "RESULTARRAY": [locked_by(ANALYST, "CA901")]});
    let writes = [
        (
            "updateCaseDescription",
            json!({"caseId": "CA901", "caseDescription": "mine"}),
            locked_by(ANALYST, "CA901"),
        ),
        (
            "addNarrative",
            json!([{"caseId": "CA901", "narrative": "mine"}]),
            cases_refused("Narrative addition failed."),
        ),
        (
            "updateCaseStatus",
            json!([{"caseId": "CA901", "caseStatusCode": "INV"}]),
            cases_refused("Case status update failed."),
        ),
        (
            "addCustomer",
            json!([{"caseId": "CA901", "customers": [customer("C2"), customer("C3")]}]),
            customers_refused("Customers addition failed.", &["C2", "C3"]),
        ),
        (
            "removeCustomer",
            json!([{"caseId": "CA901", "customers": [{"customerId": "C1"}]}]),
            customers_refused("Customers removal failed.", &["C1"]),
        ),
    ];
    for (op, body, expected) in writes {
        assert_eq!(
            post(&app, &intruder, op, &body).await,
            (StatusCode::CONFLICT, expected),
            "{op}"
        );
    }
    // Another case of the same request is not held: it goes through.
    let (status, mixed) = post(
        &app,
        &intruder,
        "addNarrative",
        &json!([
            {"caseId": "CA901", "narrative": "mine"}, {"caseId": "CA902", "narrative": "free"}
        ]),
    )
    .await;
    assert_eq!(
        (status, mixed),
        (
            StatusCode::OK,
            json!({"MESSAGE": "Narrative addition was partially successful.", "STATUS": "PARTIALSUCCESS",
                   "RESULTARRAY": [locked_by(ANALYST, "CA901"),
                                   case_answer("Narrative added successfully.", "SUCCESS", "CA902")]})
        )
    );
    assert_eq!(
        post(&app, &intruder, "lockCase", &json!({"caseId": "CA901"})).await,
        (StatusCode::CONFLICT, locked_by(ANALYST, "CA901"))
    );
    assert_eq!(
        post(&app, &intruder, "unlockCase", &json!({"caseId": "CA901"})).await,
        (StatusCode::CONFLICT, locked_by(ANALYST, "CA901"))
    );
    assert_eq!(case_details(&app, "CA901").await, before, "nothing changed");
    assert_eq!(
        audited(&app, "CA901", "customerAdded").await.len(),
        trail_before
    );

    // The holder's own writes go through.
    assert_eq!(
        post(
            &app,
            &holder,
            "updateCaseDescription",
            &json!({"caseId": "CA901", "caseDescription": "mine"})
        )
        .await,
        (
            StatusCode::OK,
            case_answer("Case description updated successfully.", "SUCCESS", "CA901")
        )
    );
    for (op, body) in [
        (
            "addCustomer",
            json!([{"caseId": "CA901", "customers": [customer("C2")]}]),
        ),
        (
            "updateCaseStatus",
            json!([{"caseId": "CA901", "caseStatusCode": "INV"}]),
        ),
        (
            "addNarrative",
            json!([{"caseId": "CA901", "narrative": "by the holder"}]),
        ),
    ] {
        let (status, answer) = post(&app, &holder, op, &body).await;
        assert_eq!(
            (status, &answer["STATUS"]),
            (StatusCode::OK, &json!("SUCCESS")),
            "{op}: {answer}"
        );
    }
    let after = case_details(&app, "CA901").await;
    assert_eq!(
        (
            &after["case"]["caseDescription"],
            &after["case"]["caseStatusCode"],
            after["customers"].as_array().map(Vec::len)
        ),
        (&json!("mine"), &json!("INV"), Some(2))
    );

    // Renewing keeps when it was taken; releasing lets the other in.
    let renewed = self::lock(&app, &holder, "CA901", ANALYST, 900).await;
    assert_eq!(renewed["lockedAt"], lock["lockedAt"]);
    assert_eq!(
        post(&app, &holder, "unlockCase", &json!({"caseId": "CA901"})).await,
        (
            StatusCode::OK,
            case_answer("Case unlocked successfully.", "SUCCESS", "CA901")
        )
    );
    assert_eq!(
        post(&app, &holder, "unlockCase", &json!({"caseId": "CA901"})).await,
        (
            StatusCode::OK,
            case_answer("Case is not locked.", "SUCCESS", "CA901")
        )
    );
    assert_eq!(case_details(&app, "CA901").await["lock"], Value::Null);
    assert_eq!(
        post(
            &app,
            &intruder,
            "removeCustomer",
            &json!([{"caseId": "CA901", "customers": [{"customerId": "C1"}]}])
        )
        .await
        .0,
        StatusCode::OK
    );
    let audit = |action: &str, old: &Value, new: &Value| {
        json!({"actor": ANALYST, "action": action, "customerId": null, "fromStatus": null,
               "toStatus": null, "oldValue": old, "newValue": new})
    };
    let mut trail = audited(&app, "CA901", "lockTaken").await;
    trail.extend(audited(&app, "CA901", "lockReleased").await);
    assert_eq!(
        trail,
        vec![
            audit("lockTaken", &Value::Null, &lock["lockedUntil"]),
            audit("lockTaken", &lock["lockedUntil"], &renewed["lockedUntil"]),
            audit("lockReleased", &renewed["lockedUntil"], &Value::Null),
        ]
    );
}

async fn a_lock_expires_by_itself(backend: Backend) {
    let app = spawn_with(backend, &[("CASE_LOCK_SECONDS", "1")]).await;
    create_cases(&app, &["CA903"]).await;
    let holder = writer(&app);
    lock(&app, &holder, "CA903", ANALYST, 1).await;
    let intruder = other(&app);
    let change = json!({"caseId": "CA903", "caseDescription": "after expiry"});
    assert_eq!(
        post(&app, &intruder, "updateCaseDescription", &change).await,
        (StatusCode::CONFLICT, locked_by(ANALYST, "CA903"))
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(case_details(&app, "CA903").await["lock"], Value::Null);
    assert_eq!(
        post(&app, &intruder, "updateCaseDescription", &change).await,
        (
            StatusCode::OK,
            case_answer("Case description updated successfully.", "SUCCESS", "CA903")
        )
    );
    // The expired lock is the other's to take now, and the first holder's
    // release finds nothing to release.
    lock(&app, &intruder, "CA903", OTHER, 1).await;
    assert_eq!(
        post(&app, &holder, "unlockCase", &json!({"caseId": "CA903"})).await,
        (StatusCode::CONFLICT, locked_by(OTHER, "CA903"))
    );
}

async fn lock_requests_are_checked(backend: Backend) {
    let app = spawn_with(backend, &[]).await;
    let token = writer(&app);
    let invalid = json!({"MESSAGE": "Invalid JSON Input format. Please correct the data.", "STATUS": "FAILED"});
    for op in ["lockCase", "unlockCase"] {
        assert_eq!(
            post(&app, &token, op, &json!({"caseId": "CA3600"})).await,
            (
                StatusCode::BAD_REQUEST,
                case_answer("Case does not exist.", "FAILED", "CA3600")
            )
        );
        assert_eq!(
            post(&app, &token, op, &json!({})).await,
            (
                StatusCode::BAD_REQUEST,
                json!({"MESSAGE": "Input JSON data does not have caseId.", "STATUS": "FAILED"})
            )
        );
        for body in [
            json!([{"caseId": "CA1"}]),
            json!({"caseId": "CA1", "holder": "x"}),
            json!({"caseId": 1}),
        ] {
            assert_eq!(
                post(&app, &token, op, &body).await,
                (StatusCode::BAD_REQUEST, invalid.clone()),
                "{op} {body}"
            );
        }
    }
}

backend_tests!(
    a_contested_lock_goes_to_exactly_one,
    writes_by_others_are_refused_while_the_holder_writes,
    a_lock_expires_by_itself,
    lock_requests_are_checked
);
