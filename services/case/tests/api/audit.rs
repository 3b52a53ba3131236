//! The audit trail keeps what each change added or removed, whole: a
//! customer, a record or an event as getCaseDetails showed it, a
//! narrative's text.

use crate::description::audited;
use crate::events::{details, promote_sample, sample_customer, CUSTOMER};
use crate::helpers::{build, create_cases, post, spawn, writer, ANALYST};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{backend_tests, faults, Backend, TestApp};

/// The entries of `case_id`'s trail of `action` (without their id and
/// time, as [`audited`]), a customer's, record's or event's values read
/// as the JSON they are; a narrative's is its text.
pub async fn audited_json(app: &TestApp, case_id: &str, action: &str) -> Vec<Value> {
    let mut entries = audited(app, case_id, action).await;
    for entry in entries
        .iter_mut()
        .filter(|e| e["action"] != "narrativeAdded")
    {
        for key in ["oldValue", "newValue"] {
            if let Some(text) = entry[key].as_str() {
                entry[key] = serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("{key} is not JSON ({e}): {text}"));
            }
        }
    }
    entries
}

/// The entries of `case_id`'s trail of the actions of `expected`, in
/// their order, as [`audited_json`] gives them.
async fn entries_like(app: &TestApp, case_id: &str, expected: &[Value]) -> Vec<Value> {
    let mut found = Vec::new();
    for action in expected.iter().filter_map(|e| e["action"].as_str()) {
        found.extend(audited_json(app, case_id, action).await);
    }
    found
}

/// One whole entry of the trail, as [`audited_json`] gives it.
fn entry(action: &str, about: (&str, &str), old: &Value, new: &Value) -> Value {
    let mut entry = json!({
        "actor": ANALYST, "action": action, "customerId": null, "fromStatus": null,
        "toStatus": null, "oldValue": old, "newValue": new
    });
    entry[about.0] = json!(about.1);
    entry
}

async fn a_promoted_event_is_kept_as_the_case_shows_it(backend: Backend) {
    let app = spawn(backend).await;
    promote_sample(&app).await;
    let shown = details(&app, "CA1").await;
    assert_eq!(shown["customers"][0], sample_customer());
    let none = Value::Null;
    let expected = vec![
        entry(
            "eventAdded",
            ("eventCode", "POSTARJ1"),
            &none,
            &shown["events"][0],
        ),
        entry(
            "customerAdded",
            ("customerId", CUSTOMER),
            &none,
            &shown["customers"][0],
        ),
    ];
    assert_eq!(entries_like(&app, "CA1", &expected).await, expected);
}

/// The migration that moved the narrative ids out of the new values,
/// undone (back to an id as the new value, as rows were written before)
/// and done again.
async fn narrative_ids_stored_as_values_move_to_the_record(backend: Backend) {
    let mut app = spawn(backend).await;
    create_cases(&app, &["CA100"]).await;
    let body = json!([{"caseId": "CA100", "narrative": "Called the branch."}]);
    let (status, answer) = post(&app, &writer(&app), "addNarrative", &body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let url = app.vars["CASE_DATABASE_URL"].clone();
    let down = match backend {
        Backend::Sqlite => {
            include_str!("../../migrations/sqlite/2026-11-29-000007_narrative_audit_ids/down.sql")
        }
        Backend::Postgres => {
            include_str!("../../migrations/postgres/2026-11-29-000007_narrative_audit_ids/down.sql")
        }
    };
    faults::execute(backend, &url, down);
    faults::execute(
        backend,
        &url,
        "DELETE FROM __diesel_schema_migrations WHERE version = '20261129000007'",
    );
    app.restart(&[], &build).await;
    let none = Value::Null;
    let expected = vec![entry("narrativeAdded", ("recordId", "1"), &none, &none)];
    assert_eq!(entries_like(&app, "CA100", &expected).await, expected);
}

backend_tests!(
    a_promoted_event_is_kept_as_the_case_shows_it,
    narrative_ids_stored_as_values_move_to_the_record,
);
