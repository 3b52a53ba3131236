//! Business record ids at rest (issue 17, finding 5: an account id is
//! personal data): stored only sealed, found by their blind index, listed
//! in id order as before, and rows written before sealing sealed at start.

use crate::helpers::{build, case_details, create_cases, post, reader, spawn, writer};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::at_rest::database_text;
use testkit::{backend_tests, faults, Backend, TestApp};

/// The ids the tests store: none may be found in the database.
const IDS: &[&str] = &["ACC-PRIVATE-7731", "TXN-PRIVATE-4410", "EXT-PRIVATE-9902"];

fn assert_sealed(app: &TestApp) {
    let stored = database_text(app.backend, &app.vars["CASE_DATABASE_URL"]);
    testkit::assert_absent("the database", &stored, IDS);
}

async fn ok(app: &TestApp, op: &str, body: Value) {
    let (status, answer) = post(app, &writer(app), op, &body).await;
    assert_eq!(status, StatusCode::OK, "{op}: {answer}");
}

/// The bank's account, loaded; on CA100 the account (from the bank's
/// records), a transaction, an external entity and a narrative.
async fn add_records(app: &TestApp) {
    create_cases(app, &["CA100"]).await;
    let loaded = app
        .internal(reqwest::Method::POST, "/case/v1/business-records")
        .json(&json!([{"kind": "account",
                       "record": {"accountId": "ACC-PRIVATE-7731", "accountName": "Savings"}}]))
        .send()
        .await
        .expect("sent");
    assert_eq!(loaded.status(), StatusCode::OK);
    ok(
        app,
        "addAccount",
        json!([{"caseId": "CA100",
                "accounts": [{"accountId": "ACC-PRIVATE-7731", "businessAdd": "Y"}]}]),
    )
    .await;
    ok(
        app,
        "addTransaction",
        json!([{"caseId": "CA100", "transactions": [
            {"transactionReferenceId": "TXN-PRIVATE-4410", "transactionTypeCode": "B"}]}]),
    )
    .await;
    ok(
        app,
        "addExternalEntity",
        json!([{"caseId": "CA100", "externalEntities": [
            {"externalEntity": "EXT-PRIVATE-9902", "externalEntityTypeCode": "XA"}]}]),
    )
    .await;
    ok(
        app,
        "addNarrative",
        json!([{"caseId": "CA100", "narrative": "Called the branch."}]),
    )
    .await;
}

/// The bank's account as the internal API shows it.
async fn business_account(app: &TestApp) -> (StatusCode, Value) {
    let response = app
        .internal(
            reqwest::Method::GET,
            "/case/v1/business-records/account/ACC-PRIVATE-7731",
        )
        .send()
        .await
        .expect("sent");
    let status = response.status();
    (status, response.json().await.expect("json"))
}

async fn ids_are_sealed_and_rows_written_before_are_sealed_at_start(backend: Backend) {
    let mut app = spawn(backend).await;
    add_records(&app).await;
    assert_sealed(&app);
    let details = case_details(&app, "CA100").await;
    let account = business_account(&app).await;
    assert_eq!(account.0, StatusCode::OK, "{}", account.1);
    assert_eq!(details["accounts"][0]["accountId"], "ACC-PRIVATE-7731");
    assert_eq!(details["accounts"][0]["accountName"], "Savings");

    // What the tables held before ids were sealed, as the migration leaves
    // it: the plaintext id as key and id, and the audit trail's id moved
    // aside with no key (the records themselves were already sealed under
    // their ids).
    faults::execute(
        backend,
        &app.vars["CASE_DATABASE_URL"],
        "UPDATE business_records SET record_key = 'ACC-PRIVATE-7731',
             record_id = 'ACC-PRIVATE-7731';
         UPDATE case_records SET record_key = 'ACC-PRIVATE-7731',
             record_id = 'ACC-PRIVATE-7731' WHERE kind = 'account';
         UPDATE case_records SET record_key = 'TXN-PRIVATE-4410',
             record_id = 'TXN-PRIVATE-4410' WHERE kind = 'transaction';
         UPDATE case_records SET record_key = 'EXT-PRIVATE-9902',
             record_id = 'EXT-PRIVATE-9902' WHERE kind = 'externalEntity';
         UPDATE case_audit SET legacy_record_id = 'ACC-PRIVATE-7731', record_id = NULL
             WHERE action = 'accountAdded';
         UPDATE case_audit SET legacy_record_id = 'TXN-PRIVATE-4410', record_id = NULL
             WHERE action = 'transactionAdded';
         UPDATE case_audit SET legacy_record_id = 'EXT-PRIVATE-9902', record_id = NULL
             WHERE action = 'externalEntityAdded';
         UPDATE case_audit SET record_key = NULL;",
    );
    app.restart(&[], &build).await;
    assert_eq!(case_details(&app, "CA100").await, details);
    assert_eq!(business_account(&app).await, account);
    // Found by their blind index again: adding any of them again is refused.
    let (status, answer) = post(
        &app,
        &writer(&app),
        "addAccount",
        &json!([{"caseId": "CA100", "accounts": [{"accountId": "ACC-PRIVATE-7731"}]}]),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(
        answer["RESULTARRAY"][0]["accounts"][0]["MESSAGE"], "Account already exists.",
        "{answer}"
    );
    if backend == Backend::Postgres {
        // (A SQLite file may keep the overwritten text in a free page.)
        assert_sealed(&app);
    }
}

/// The account ids of CA100's pages of `limit`, with each page's next
/// cursor.
async fn account_pages(app: &TestApp, limit: u32) -> Vec<(Vec<String>, Value)> {
    let mut request = json!({"caseId": "CA100", "limit": limit});
    let mut pages = Vec::new();
    loop {
        let (status, page) = post(app, &reader(app), "getCaseDetails", &request).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let ids = ids_of(&page["accounts"]);
        let next = page["nextAccountsCursor"].clone();
        pages.push((ids, next.clone()));
        if next.is_null() {
            return pages;
        }
        request["accountsCursor"] = next;
    }
}

/// Ids are sealed, so the service orders them: by bytes, the cursor the
/// last id of a page, as when the database ordered them.
async fn records_are_listed_in_id_order_a_page_at_a_time(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA100"]).await;
    let accounts: Vec<Value> = ["A3", "b1", "A10", "A1", "B2", "A2"]
        .iter()
        .map(|id| json!({"accountId": id}))
        .collect();
    ok(
        &app,
        "addAccount",
        json!([{"caseId": "CA100", "accounts": accounts}]),
    )
    .await;
    let page = |ids: &[&str], next: Value| (ids.iter().map(|s| s.to_string()).collect(), next);
    assert_eq!(
        account_pages(&app, 2).await,
        vec![
            page(&["A1", "A10"], json!("A10")),
            page(&["A2", "A3"], json!("A3")),
            page(&["B2", "b1"], Value::Null),
        ]
    );
    // A cursor that names no record still places the page.
    let (status, answer) = post(
        &app,
        &reader(&app),
        "getCaseDetails",
        &json!({"caseId": "CA100", "limit": 2, "accountsCursor": "A11"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        (ids_of(&answer["accounts"]), &answer["nextAccountsCursor"]),
        (vec!["A2".to_owned(), "A3".to_owned()], &json!("A3"))
    );
}

fn ids_of(accounts: &Value) -> Vec<String> {
    accounts
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| a["accountId"].as_str().expect("an id").to_owned())
        .collect()
}

backend_tests!(
    ids_are_sealed_and_rows_written_before_are_sealed_at_start,
    records_are_listed_in_id_order_a_page_at_a_time,
);
