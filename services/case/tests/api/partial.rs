//! One request that mixes everything that can happen to a customer, with
//! the exact PARTIALSUCCESS tree, and what was (and was not) stored.

use crate::helpers::{
    added, all_added, all_failed, case_customers, create_cases, create_party, customer, envelope,
    failed, post, reader, spawn, stored, writer,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{backend_tests, faults, Backend};

async fn a_mixed_request_gets_the_exact_partial_success_tree(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA200", "CA201"]).await;
    let known = create_party(
        &app,
        &json!({
            "kind": "person", "firstName": "Rohit", "lastName": "Sharma",
            "dateOfBirth": "1987-04-30", "nationality": "IN",
            "contactPoints": [
                {"channel": "email", "value": "rohit@example.com"},
                {"channel": "phone", "value": "+919876543210"}
            ],
            "identifiers": [{"type": "taxId", "formatCode": "S", "value": "TX456"}],
            "addresses": [{"lines": ["1 Marine Drive", "Colaba"], "city": "Mumbai",
                           "postalCode": "400005", "countryCode": "IN"}],
            "employment": {"status": "employed", "employer": "BCCI"}
        }),
    )
    .await;
    let token = writer(&app);
    let (status, _) = post(
        &app,
        &token,
        "addCustomer",
        &json!([{"caseId": "CA201", "customers": [customer("CUST-DUP")]}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let mut bad_date = customer("CUST-BAD");
    bad_date["dateOfBirth"] = json!("1990-02-30");
    let from_business = json!({"customerId": known, "businessAdd": "Y", "kycRisk": 7});
    let request = json!([
        {"caseId": "CA200", "customers": [customer("CUST-A"), from_business, customer("CUST-B")]},
        {"caseId": "CA201", "customers": [
            customer("CUST-DUP"),
            bad_date,
            {"customerId": "1234567890", "businessAdd": "Y"},
            {"customerId": "NOT-A-PARTY", "businessAdd": "Y"},
            customer("CUST-D")
        ]},
        {"caseId": "CA999", "customers": [customer("CUST-C")]}
    ]);
    assert_eq!(
        post(&app, &token, "addCustomer", &request).await,
        (
            StatusCode::OK,
            json!({
                "MESSAGE": "Customers addition was partially successful.",
                "STATUS": "PARTIALSUCCESS",
                "RESULTARRAY": [
                    {
                        "MESSAGE": "Customers addition was successful.",
                        "STATUS": "SUCCESS",
                        "caseId": "CA200",
                        "customers": [added("CUST-A"), added(&known), added("CUST-B")]
                    },
                    {
                        "MESSAGE": "Customers addition was partially successful.",
                        "STATUS": "PARTIALSUCCESS",
                        "caseId": "CA201",
                        "customers": [
                            failed("CUST-DUP", "Customer already exists."),
                            failed("CUST-BAD", "Invalid dateOfBirth: 1990-02-30 is not a real date."),
                            failed("1234567890", "Customer does not exist in business."),
                            failed("NOT-A-PARTY", "Customer does not exist in business."),
                            added("CUST-D")
                        ]
                    },
                    {
                        "MESSAGE": "Case does not exist.",
                        "STATUS": "FAILED",
                        "caseId": "CA999",
                        "customers": [failed("CUST-C", "Case does not exist.")]
                    }
                ]
            })
        )
    );

    // The business customer is the party's details plus what was sent.
    let filled = stored(&json!({
        "customerId": known, "businessAdd": "Y", "customerTypeCode": "IND",
        "firstName": "Rohit", "lastName": "Sharma", "dateOfBirth": "1987-04-30",
        "taxIdFormatCode": "S", "taxId": "TX456", "primaryCitizenshipCode": "IN",
        "employer": "BCCI", "kycRisk": 7,
        "addresses": [{
            "addressLine1": "1 Marine Drive", "addressLine2": "Colaba", "addressLine3": null,
            "addressLine4": null, "addressLine5": null, "addressLine6": null, "city": "Mumbai",
            "state": null, "postalCode": "400005", "countryCode": "IN", "regionName": null,
            "addressUsageCode": null
        }],
        "phones": [{"phoneNumber": "+919876543210", "extensionNumber": null, "phoneUsageCode": null}],
        "emails": [{"emailId": "rohit@example.com"}]
    }));
    assert_eq!(
        case_customers(&app, "CA200").await,
        vec![
            filled,
            stored(&customer("CUST-A")),
            stored(&customer("CUST-B"))
        ]
    );
    assert_eq!(
        case_customers(&app, "CA201").await,
        vec![stored(&customer("CUST-D")), stored(&customer("CUST-DUP"))],
        "failed customers left no rows"
    );
}

async fn a_request_where_everything_fails_is_a_400(backend: Backend) {
    let app = spawn(backend).await;
    let request = json!([{"caseId": "CA404", "customers": [customer("CUST-X")]}]);
    assert_eq!(
        post(&app, &writer(&app), "addCustomer", &request).await,
        (
            StatusCode::BAD_REQUEST,
            json!({
                "MESSAGE": "Customers addition failed.",
                "STATUS": "FAILED",
                "RESULTARRAY": [{
                    "MESSAGE": "Case does not exist.",
                    "STATUS": "FAILED",
                    "caseId": "CA404",
                    "customers": [failed("CUST-X", "Case does not exist.")]
                }]
            })
        )
    );
}

backend_tests!(
    a_mixed_request_gets_the_exact_partial_success_tree,
    a_request_where_everything_fails_is_a_400
);

/// A database connection lost while customers are written is the database
/// being unavailable: each customer answers "Service is temporarily
/// unavailable", the request a 503, and nothing is stored, so the retry
/// adds them all. PostgreSQL only (an SQLite connection cannot be lost):
/// a trigger makes the server end the session that inserts a customer.
#[tokio::test]
async fn a_connection_lost_while_adding_is_a_503_and_a_retry_adds_all() {
    if !Backend::postgres_available() {
        return;
    }
    let app = spawn(Backend::Postgres).await;
    create_cases(&app, &["CA300"]).await;
    let url = &app.vars["CASE_DATABASE_URL"];
    faults::lose_connection_on(url, "case_customers", "INSERT");
    let token = writer(&app);
    let request =
        json!([{"caseId": "CA300", "customers": [customer("CUST-1"), customer("CUST-2")]}]);
    let unavailable = "Service is temporarily unavailable. Please try again later.";
    assert_eq!(
        post(&app, &token, "addCustomer", &request).await,
        all_failed(
            StatusCode::SERVICE_UNAVAILABLE,
            "CA300",
            vec![failed("CUST-1", unavailable), failed("CUST-2", unavailable)]
        )
    );
    assert_eq!(case_customers(&app, "CA300").await, Vec::<Value>::new());

    faults::keep_connection_on(url, "case_customers", "INSERT");
    assert_eq!(
        post(&app, &token, "addCustomer", &request).await,
        all_added("CA300", vec![added("CUST-1"), added("CUST-2")])
    );
}

/// A connection lost while a case is read is a 503 too (the read of its
/// customers answered 500), and the same read succeeds once the database
/// is back.
#[tokio::test]
async fn a_connection_lost_while_reading_a_case_is_a_503() {
    if !Backend::postgres_available() {
        return;
    }
    let app = spawn(Backend::Postgres).await;
    create_cases(&app, &["CA310"]).await;
    let request = json!([{"caseId": "CA310", "customers": [customer("CUST-1")]}]);
    assert_eq!(
        post(&app, &writer(&app), "addCustomer", &request).await,
        all_added("CA310", vec![added("CUST-1")])
    );
    let url = &app.vars["CASE_DATABASE_URL"];
    faults::lose_connection_on(url, "case_customers", "SELECT");
    assert_eq!(
        post(
            &app,
            &reader(&app),
            "getCaseDetails",
            &json!({"caseId": "CA310"})
        )
        .await,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            envelope("Service is temporarily unavailable. Please try again later.")
        )
    );
    faults::keep_connection_on(url, "case_customers", "SELECT");
    assert_eq!(
        case_customers(&app, "CA310").await,
        vec![stored(&customer("CUST-1"))]
    );
}
