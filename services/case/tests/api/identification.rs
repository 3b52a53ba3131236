//! ECM guide 4.9: a customer's identification documents ride on
//! `addCustomer`. They come back whole, are sealed at rest, are taken from
//! the party's identifiers with `businessAdd: "Y"`, and each bad field fails
//! its customer alone, naming the field.

use crate::helpers::{
    added, all_added, all_failed, build, case_customers, create_cases, create_party, failed, post,
    spawn, spawn_with, stored, writer,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::at_rest::database_text;
use testkit::{backend_tests, Backend, KEY_A, KEY_B};

/// A customer with two documents, one of them expired.
fn with_documents(id: &str) -> Value {
    json!({
        "customerId": id, "businessAdd": "N", "customerTypeCode": "IND",
        "firstName": "Rahul", "lastName": "Dravid", "dateOfBirth": "1973-01-11",
        "identificationDocuments": [
            {"documentTypeCode": "PASSPORT", "documentNumber": "P7654321",
             "issuedBy": "Passport Office, Bengaluru", "issuingCountryCode": "IN",
             "issueDate": "2019-03-01", "expiryDate": "2029-02-28"},
            {"documentTypeCode": "DRIVER_LICENSE", "documentNumber": "KA0120110012345",
             "issuedBy": null, "issuingCountryCode": "IN",
             "issueDate": "2011-05-20", "expiryDate": "2021-05-19"}
        ]
    })
}

async fn documents_come_back_whole_and_sealed(backend: Backend) {
    let mut app = spawn_with(backend, &[("ENCRYPTION_KEYS", KEY_A)]).await;
    create_cases(&app, &["CA100"]).await;
    let customer = with_documents("CUST-ID");
    assert_eq!(
        post(
            &app,
            &writer(&app),
            "addCustomer",
            &json!([{"caseId": "CA100", "customers": [customer]}])
        )
        .await,
        all_added("CA100", vec![added("CUST-ID")])
    );
    let expected = vec![stored(&customer)];
    assert_eq!(case_customers(&app, "CA100").await, expected);

    let at_rest = database_text(app.backend, &app.vars["CASE_DATABASE_URL"]);
    testkit::assert_absent(
        "the database",
        &at_rest,
        &["P7654321", "KA0120110012345", "Passport Office"],
    );
    // `onboarding rekey`'s work, done at start: still readable under a new key.
    app.restart(
        &[("ENCRYPTION_KEYS", Some(&format!("{KEY_B},{KEY_A}")))],
        &build,
    )
    .await;
    assert_eq!(case_customers(&app, "CA100").await, expected);
}

async fn a_business_customer_takes_the_partys_identity_documents(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA100"]).await;
    let party = create_party(
        &app,
        &json!({
            "kind": "person", "firstName": "Rohit", "lastName": "Sharma",
            "identifiers": [
                {"type": "taxId", "formatCode": "S", "value": "TX456"},
                {"type": "passport", "value": "Z1234567", "issuingCountry": "IN"},
                {"type": "nationalId", "value": "1234-5678-9012"}
            ]
        }),
    )
    .await;
    let request = json!([{"caseId": "CA100", "customers": [
        {"customerId": party, "businessAdd": "Y"}
    ]}]);
    assert_eq!(
        post(&app, &writer(&app), "addCustomer", &request).await,
        all_added("CA100", vec![added(&party)])
    );
    let document = |kind: &str, number: &str, country: Value| {
        json!({"documentTypeCode": kind, "documentNumber": number, "issuedBy": null,
               "issuingCountryCode": country, "issueDate": null, "expiryDate": null})
    };
    assert_eq!(
        case_customers(&app, "CA100").await,
        vec![stored(&json!({
            "customerId": party, "businessAdd": "Y", "customerTypeCode": "IND",
            "firstName": "Rohit", "lastName": "Sharma",
            "taxIdFormatCode": "S", "taxId": "TX456",
            "identificationDocuments": [
                document("PASSPORT", "Z1234567", json!("IN")),
                document("NATIONAL_ID", "1234-5678-9012", Value::Null)
            ]
        }))]
    );
}

async fn each_bad_document_field_fails_its_customer_alone(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA100"]).await;
    let with = |id: &str, field: &str, value: Value| {
        let mut customer = with_documents(id);
        customer["identificationDocuments"][1][field] = value;
        customer
    };
    let mut too_many = with_documents("C-MANY");
    too_many["identificationDocuments"] = json!(vec![json!({}); 101]);
    let mut not_a_list = with_documents("C-OBJECT");
    not_a_list["identificationDocuments"] = json!({"documentNumber": "P1"});
    let cases = [
        (
            with("C-EXPIRY", "expiryDate", json!("2010-01-01")),
            "Invalid identificationDocuments[1].expiryDate: must not be before issueDate.",
        ),
        (
            with("C-IMPOSSIBLE", "expiryDate", json!("2021-02-30")),
            "Invalid identificationDocuments[1].expiryDate: 2021-02-30 is not a real date.",
        ),
        (
            with("C-FUTURE", "issueDate", json!("2999-01-01")),
            "Invalid identificationDocuments[1].issueDate: must not be in the future.",
        ),
        (
            with("C-LONG", "documentNumber", json!("9".repeat(65))),
            "Invalid identificationDocuments[1].documentNumber: must be at most 64 characters.",
        ),
        (
            with("C-UNKNOWN", "passportId", json!("P1")),
            "Invalid identificationDocuments[1].passportId: is not a known field.",
        ),
        (
            too_many,
            "Invalid identificationDocuments: must have at most 100 entries.",
        ),
        (
            not_a_list,
            "Invalid identificationDocuments: must be an array.",
        ),
    ];
    let customers: Vec<Value> = cases.iter().map(|(c, _)| c.clone()).collect();
    let lines: Vec<Value> = cases
        .iter()
        .map(|(c, message)| failed(c["customerId"].as_str().expect("an id"), message))
        .collect();
    assert_eq!(
        post(
            &app,
            &writer(&app),
            "addCustomer",
            &json!([{"caseId": "CA100", "customers": customers}])
        )
        .await,
        all_failed(StatusCode::BAD_REQUEST, "CA100", lines)
    );
    assert_eq!(case_customers(&app, "CA100").await, Vec::<Value>::new());
}

backend_tests!(
    documents_come_back_whole_and_sealed,
    a_business_customer_takes_the_partys_identity_documents,
    each_bad_document_field_fails_its_customer_alone,
);
