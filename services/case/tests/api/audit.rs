//! The audit trail keeps what each change added or removed, whole: a
//! customer, a record or an event as getCaseDetails showed it, a
//! narrative's text. Those values are sealed at rest, and still open after
//! a key rotation.

use crate::description::audited;
use crate::events::{promote_sample, sample_customer, CUSTOMER};
use crate::helpers::{
    all_pages, build, case_details, create_cases, envelope, post, reader, seed_customer, spawn,
    spawn_with, stored, writer, ANALYST,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::at_rest::database_text;
use testkit::{backend_tests, faults, Backend, TestApp, KEY_A, KEY_B};

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

/// What no table may hold in plaintext: the seed customer's tax id and
/// generic information, the account's tax id and the narrative.
const SECRETS: &[&str] = &[
    "TX123",
    "123-12-1234",
    "Victim SSN",
    "TX-ACCT-777",
    "Seen with the victim",
];

const NARRATIVE: &str = "Seen with the victim at the branch twice.";

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

async fn removed_customers_and_records_stay_in_the_trail(backend: Backend) {
    let mut app = spawn_with(backend, &[("ENCRYPTION_KEYS", KEY_A)]).await;
    create_cases(&app, &["CA100"]).await;
    let token = writer(&app);
    let account =
        json!({"accountId": "A1", "accountName": "Joint savings", "taxId": "TX-ACCT-777"});
    for (op, body) in [
        (
            "addCustomer",
            json!([{"caseId": "CA100", "customers": [seed_customer()]}]),
        ),
        (
            "addAccount",
            json!([{"caseId": "CA100", "accounts": [account]}]),
        ),
        (
            "addNarrative",
            json!([{"caseId": "CA100", "narrative": NARRATIVE}]),
        ),
    ] {
        let (status, answer) = post(&app, &token, op, &body).await;
        assert_eq!(status, StatusCode::OK, "{op}: {answer}");
    }
    let shown = case_details(&app, "CA100").await;
    let (customer, account) = (&shown["customers"][0], &shown["accounts"][0]);
    assert_eq!(customer, &stored(&seed_customer()));
    for (op, body) in [
        (
            "removeAccount",
            json!([{"caseId": "CA100", "accounts": [{"accountId": "A1"}]}]),
        ),
        (
            "removeCustomer",
            json!([{"caseId": "CA100", "customers": [{"customerId": "CUST123"}]}]),
        ),
    ] {
        let (status, answer) = post(&app, &token, op, &body).await;
        assert_eq!(status, StatusCode::OK, "{op}: {answer}");
    }

    let none = Value::Null;
    let expected = vec![
        entry("customerAdded", ("customerId", "CUST123"), &none, customer),
        entry("accountAdded", ("recordId", "A1"), &none, account),
        entry(
            "narrativeAdded",
            ("recordId", "1"),
            &none,
            &json!(NARRATIVE),
        ),
        entry("accountRemoved", ("recordId", "A1"), account, &none),
        entry(
            "customerRemoved",
            ("customerId", "CUST123"),
            customer,
            &none,
        ),
    ];
    assert_eq!(entries_like(&app, "CA100", &expected).await, expected);
    let order: Vec<Value> = all_pages(&app, "getCaseAudit", json!({"caseId": "CA100"}), "events")
        .await
        .iter()
        .map(|e| e["action"].clone())
        .collect();
    assert_eq!(
        order,
        [
            "caseCreated",
            "customerAdded",
            "accountAdded",
            "narrativeAdded",
            "accountRemoved",
            "customerRemoved"
        ]
        .map(|a| json!(a))
    );

    // Sealed at rest, though the customer and the account are gone.
    let at_rest = database_text(app.backend, &app.vars["CASE_DATABASE_URL"]);
    testkit::assert_absent("the database", &at_rest, SECRETS);
    // Sealed under `a`, read with `b` in front.
    let rotated = format!("{KEY_B},{KEY_A}");
    app.restart(&[("ENCRYPTION_KEYS", Some(&rotated))], &build)
        .await;
    assert_eq!(entries_like(&app, "CA100", &expected).await, expected);
}

async fn a_promoted_event_is_kept_as_the_case_shows_it(backend: Backend) {
    let app = spawn(backend).await;
    promote_sample(&app).await;
    let shown = case_details(&app, "CA1").await;
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

/// getCaseDetails carries the trail too, a page at a time: followed by
/// `nextAuditCursor`, its pages are the whole of getCaseAudit's trail; a
/// cursor that is not one is refused by name.
async fn case_details_pages_the_trail(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA100"]).await;
    for n in 1..=4 {
        let body = json!([{"caseId": "CA100", "narrative": format!("Call {n}.")}]);
        let (status, answer) = post(&app, &writer(&app), "addNarrative", &body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    let trail = all_pages(&app, "getCaseAudit", json!({"caseId": "CA100"}), "events").await;
    assert_eq!(trail.len(), 5, "created, then four narratives: {trail:?}");
    let mut request = json!({"caseId": "CA100", "limit": 2});
    let mut paged = Vec::new();
    let mut pages = 0;
    loop {
        let (status, page) = post(&app, &reader(&app), "getCaseDetails", &request).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        paged.extend(page["audit"].as_array().expect("audit").iter().cloned());
        pages += 1;
        request["auditCursor"] = page["nextAuditCursor"].clone();
        if request["auditCursor"].is_null() {
            break;
        }
    }
    assert_eq!((pages, paged), (3, trail));
    let bad = json!({"caseId": "CA100", "auditCursor": "x"});
    assert_eq!(
        post(&app, &reader(&app), "getCaseDetails", &bad).await,
        (
            StatusCode::BAD_REQUEST,
            envelope("Invalid auditCursor: must be the nextCursor of the previous page.")
        )
    );
}

backend_tests!(
    removed_customers_and_records_stay_in_the_trail,
    a_promoted_event_is_kept_as_the_case_shows_it,
    narrative_ids_stored_as_values_move_to_the_record,
    case_details_pages_the_trail,
);
