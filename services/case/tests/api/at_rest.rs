//! Sensitive customer fields at rest: `taxId`, `genericInformation`,
//! names, dates of birth, addresses, contact points, account ids and
//! amounts are sealed in the database, read back exactly as sent, still readable after
//! a key rotation, and a missing key is a clean 500.

use crate::helpers::{
    build, case_customers, create_cases, envelope, post, post_raw, reader, seed_customer,
    spawn_with, stored, writer, SEED_REQUEST,
};
use reqwest::StatusCode;
use serde_json::json;
use testkit::at_rest::database_text;
use testkit::{backend_tests, faults, Backend, TestApp, KEY_A, KEY_B};

/// The seed's sensitive values: its tax id, and what its
/// `genericInformation` holds (a victim's name and SSN); and the appendix C
/// event's (its customer's tax id and generic information), kept both on
/// the case it opens and with the event.
const SECRETS: &[&str] = &[
    "TX123",
    "123-12-1234",
    "Victim SSN",
    "Customer Details",
    "TAXHRTHRCPHH-002",
    "Southwest Mumbai",
    // Names, date of birth, address, contact points, account ids and
    // amounts (issue 17, finding 5).
    "Dravid",
    "Sharad",
    "1990-12-01",
    "Wall Street 101",
    "Near Bentley Showroom",
    "12345-123",
    "1234567890",
    "a@a.com",
    "UTR1",
    "ORACLE",
    "1000000",
    "54321",
    // A case worker's comment on a status change (issue 15).
    "Spoke to Mr Karthik",
];

fn assert_sealed(app: &TestApp) {
    let stored = database_text(app.backend, &app.vars["CASE_DATABASE_URL"]);
    testkit::assert_absent("the database", &stored, SECRETS);
}

async fn add_seed(app: &TestApp) {
    create_cases(app, &["CA100"]).await;
    let (status, answer) = post_raw(
        app,
        Some(&writer(app)),
        "addCustomer",
        SEED_REQUEST.to_owned(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = crate::events::real_time(
        app,
        Some(&writer(app)),
        "saveEventsAndPromoteToCase",
        crate::events::SAMPLE.to_owned(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = post(
        app,
        &writer(app),
        "updateCaseStatus",
        &json!([{"caseId": "CA100", "caseStatusCode": "INV", "comment": "Spoke to Mr Karthik"}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

async fn sensitive_fields_are_sealed_and_survive_rotation(backend: Backend) {
    let mut app = spawn_with(backend, &[("ENCRYPTION_KEYS", KEY_A)]).await;
    add_seed(&app).await;
    assert_sealed(&app);
    let expected = vec![stored(&seed_customer())];
    assert_eq!(case_customers(&app, "CA100").await, expected);

    let rotated = format!("{KEY_B},{KEY_A}");
    app.restart(&[("ENCRYPTION_KEYS", Some(&rotated))], &build)
        .await;
    assert_eq!(case_customers(&app, "CA100").await, expected);

    app.restart(&[("ENCRYPTION_KEYS", Some(KEY_B))], &build)
        .await;
    let answer = post(
        &app,
        &reader(&app),
        "getCaseDetails",
        &json!({"caseId": "CA100"}),
    )
    .await;
    assert_eq!(
        answer,
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            envelope("Internal error occurred. Please contact system administrator.")
        )
    );
}

async fn fields_written_before_sealing_are_sealed_at_start(backend: Backend) {
    let mut app = spawn_with(backend, &[("ENCRYPTION_KEYS", KEY_A)]).await;
    add_seed(&app).await;
    let generic = seed_customer()["genericInformation"].to_string();
    // What the tables held before sealing was introduced.
    faults::execute(
        backend,
        &app.vars["CASE_DATABASE_URL"],
        &format!(
            "UPDATE case_customers SET tax_id = 'TX123', first_name = 'Rahul',
                 middle_name = 'Sharad', last_name = 'Dravid', date_of_birth = '1990-12-01';
             UPDATE case_customer_details SET generic_information = '{generic}',
                 estimated_net_worth = '1000000', employer = 'ORACLE';
             UPDATE case_customer_addresses SET address_line1 = 'Wall Street 101',
                 address_line3 = 'Near Bentley Showroom', postal_code = '12345-123';
             UPDATE case_customer_phones SET phone_number = '1234567890';
             UPDATE case_customer_emails SET email_id = 'a@a.com';
             UPDATE case_customer_online_accounts SET online_account_user_id = 'UTR1';
             UPDATE case_customer_anticipatory_profiles SET total_amount = '54321';"
        ),
    );
    app.restart(&[], &build).await;
    assert_eq!(
        case_customers(&app, "CA100").await,
        vec![stored(&seed_customer())]
    );
    if backend == Backend::Postgres {
        // (A SQLite file may keep the overwritten text in a free page.)
        assert_sealed(&app);
    }
}

backend_tests!(
    sensitive_fields_are_sealed_and_survive_rotation,
    fields_written_before_sealing_are_sealed_at_start,
);
