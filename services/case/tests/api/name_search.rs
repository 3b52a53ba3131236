//! `searchCases` by a customer's name (issue 15): its full name (first and
//! last name; an organisation's name) or its last name, whole, in any case
//! and spacing, through a keyed blind index (names are sealed). Other
//! names find nothing; an erased customer is found by no name; the
//! indexes of customers stored before them are computed at start, and
//! `onboarding rekey` computes them again under a new `BLIND_INDEX_KEY`.

use crate::helpers::{build, create_cases, post, reader, spawn_with, writer};
use reqwest::{Method, StatusCode};
use serde_json::json;
use testkit::{backend_tests, call, faults, Backend, TestApp, BLIND_INDEX_KEY, KEY_A};

/// Creates CA1 with Jane Q. Doe, CA2 with John Doe and an organisation,
/// and CA3 with no one.
async fn three_cases(app: &TestApp) {
    create_cases(app, &["CA1", "CA2", "CA3"]).await;
    let (status, answer) = post(
        app,
        &writer(app),
        "addCustomer",
        &json!([
            {"caseId": "CA1", "customers": [{"customerId": "C-JANE", "firstName": "Jane",
                                             "middleName": "Quincy", "lastName": "Doe"}]},
            {"caseId": "CA2", "customers": [
                {"customerId": "C-JOHN", "firstName": "John", "lastName": "DOE"},
                {"customerId": "C-ACME", "customerOrganizationName": "Acme  Trading Ltd"}]}
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// The ids of the cases `query` finds, and the total.
async fn found(app: &TestApp, query: &str) -> (i64, Vec<String>) {
    let (status, answer) = post(
        app,
        &reader(app),
        "searchCases",
        &json!({"query": query, "sort": "caseId"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let ids = answer["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["caseId"].as_str().expect("an id").to_owned())
        .collect();
    (answer["total"].as_i64().expect("a total"), ids)
}

/// What each query finds in [`three_cases`].
async fn assert_found_by_name(app: &TestApp) {
    let table: [(&str, &[&str]); 11] = [
        ("Jane Doe", &["CA1"]),
        ("  jANE   doe ", &["CA1"]),
        ("doe", &["CA1", "CA2"]),
        ("John Doe", &["CA2"]),
        ("acme trading ltd", &["CA2"]),
        // Middle names are left out of the full name.
        ("Jane Quincy Doe", &[]),
        ("Jane", &[]),
        ("Do", &[]),
        ("Jane Smith", &[]),
        ("Acme", &[]),
        // An id still finds its case, and a customer id its cases.
        ("C-JOHN", &["CA2"]),
    ];
    for (query, cases) in table {
        let cases: Vec<String> = cases.iter().map(|c| (*c).to_owned()).collect();
        assert_eq!(
            found(app, query).await,
            (cases.len() as i64, cases),
            "{query}"
        );
    }
}

async fn cases_are_found_by_a_customers_full_or_last_name(backend: Backend) {
    let app = spawn_with(backend, &[]).await;
    three_cases(&app).await;
    assert_found_by_name(&app).await;
    // Names are sealed: the index is no name's plain hash.
    let stored = testkit::at_rest::database_text(backend, &app.vars["CASE_DATABASE_URL"]);
    testkit::assert_absent("the database", &stored, &["Jane", "jane doe", "Acme"]);
}

async fn an_erased_customer_is_found_by_no_name(backend: Backend) {
    let app = spawn_with(backend, &[]).await;
    three_cases(&app).await;
    let (status, erased) = call(
        app.internal(Method::POST, "/case/v1/customers/C-JANE/erasure")
            .json(&json!({"actor": "retention-purge"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{erased}");
    assert_eq!(found(&app, "Jane Doe").await, (0, vec![]));
    assert_eq!(found(&app, "doe").await, (1, vec!["CA2".to_owned()]));
    assert_eq!(found(&app, "[erased]").await, (0, vec![]));
    assert_eq!(found(&app, "[erased] [erased]").await, (0, vec![]));
    // Still found by its id.
    assert_eq!(found(&app, "C-JANE").await, (1, vec!["CA1".to_owned()]));
}

async fn customers_stored_before_the_index_are_indexed_at_start(backend: Backend) {
    let mut app = spawn_with(backend, &[("ENCRYPTION_KEYS", KEY_A)]).await;
    three_cases(&app).await;
    // What the migration leaves for customers stored before it.
    faults::execute(
        backend,
        &app.vars["CASE_DATABASE_URL"],
        "DELETE FROM case_customer_names;
         INSERT INTO case_customer_names (case_id, customer_id, name_index)
         SELECT case_id, customer_id, 'legacy' FROM case_customers;",
    );
    assert_eq!(found(&app, "doe").await, (0, vec![]));
    app.restart(&[], &build).await;
    assert_found_by_name(&app).await;
}

async fn rekey_computes_the_indexes_under_a_new_blind_index_key(backend: Backend) {
    const NEW_INDEX_KEY: &str = "d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4";
    let mut app = spawn_with(
        backend,
        &[
            ("ENCRYPTION_KEYS", KEY_A),
            ("BLIND_INDEX_KEY", BLIND_INDEX_KEY),
        ],
    )
    .await;
    three_cases(&app).await;
    app.restart(&[("BLIND_INDEX_KEY", Some(NEW_INDEX_KEY))], &build)
        .await;
    // The indexes stored are under the old key until rekey.
    assert_eq!(found(&app, "doe").await, (0, vec![]));
    let vars = app.vars.clone();
    let rewritten = tokio::task::spawn_blocking(move || {
        let config = service_kit::ServerConfig::load(Some(&vars)).expect("config");
        let ctx = service_kit::server::Context::new(config, 0, false).expect("context");
        case::rekey(&ctx, Some(&vars)).expect("rekey")
    })
    .await
    .expect("joined");
    assert!(rewritten >= 3, "{rewritten}");
    assert_found_by_name(&app).await;
}

backend_tests!(
    cases_are_found_by_a_customers_full_or_last_name,
    an_erased_customer_is_found_by_no_name,
    customers_stored_before_the_index_are_indexed_at_start,
    rekey_computes_the_indexes_under_a_new_blind_index_key,
);
