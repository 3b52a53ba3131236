//! Every field rule: an invalid customer fails alone with a message naming
//! the field, its siblings are added, and it leaves nothing behind.

use crate::helpers::{
    added, case_customers, create_cases, customer, failed, line, post, spawn, stored, writer,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{backend_tests, Backend};

/// A valid customer `id` with `field` set to `value`.
fn with(id: &str, field: &str, value: Value) -> Value {
    let mut c = customer(id);
    c[field] = value;
    c
}

async fn each_invalid_customer_fails_alone_naming_the_field(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA400"]).await;
    let phone_as_text = with(
        "GOOD-2",
        "phones",
        json!([{"phoneNumber": "+1 (212) 555-0100", "extensionNumber": "12", "phoneUsageCode": "M"}]),
    );
    let mut no_id = customer("ignored");
    no_id.as_object_mut().expect("object").remove("customerId");
    let address = json!({"city": "Pune"});
    let cases: Vec<(Value, &str)> = vec![
        (with("F1", "pepFlagCode", json!("X")), "Invalid pepFlagCode: must be Y or N."),
        (with("F2", "businessAdd", json!("yes")), "Invalid businessAdd: must be Y or N."),
        (with("F3", "isEmployeeCode", json!(true)), "Invalid isEmployeeCode: invalid type: boolean `true`, expected a string."),
        (with("D1", "dateOfBirth", json!("01/12/1990")), "Invalid dateOfBirth: must be a date written YYYY-MM-DD."),
        (with("D2", "dateOfBirth", json!("1990-02-30")), "Invalid dateOfBirth: 1990-02-30 is not a real date."),
        (with("D3", "dateOfBirth", json!("2999-01-01")), "Invalid dateOfBirth: must not be in the future."),
        (with("T1", "addedOn", json!("2012-12-01T10:30:00")), "Invalid addedOn: must be a date and time written YYYY-MM-DD HH:MM:SS."),
        (
            with("T2", "onlineAccounts", json!([{"onlineAccountId": "TR1", "relationshipDate": "2013-13-01 10:30:00"}])),
            "Invalid onlineAccounts[0].relationshipDate: 2013-13-01 10:30:00 is not a real date and time.",
        ),
        (with("N1", "estimatedNetWorth", json!("1000000")), "Invalid estimatedNetWorth: invalid type: string \"1000000\", expected a number."),
        (with("N2", "kycRisk", json!(true)), "Invalid kycRisk: invalid type: boolean `true`, expected a number."),
        (
            with("N3", "anticipatoryProfiles", json!([{"totalAmount": "54321"}])),
            "Invalid anticipatoryProfiles[0].totalAmount: invalid type: string \"54321\", expected a number.",
        ),
        (
            with("P1", "phones", json!([{"phoneNumber": "call me"}])),
            "Invalid phones[0].phoneNumber: must be a whole number, or a string of at most 30 digits, spaces, dots and + - ( ).",
        ),
        (with("L1", "firstName", json!("x".repeat(256))), "Invalid firstName: must be at most 255 characters."),
        (with("L2", "genderCode", json!("x".repeat(65))), "Invalid genderCode: must be at most 64 characters."),
        (with("L3", "lastName", json!("a\u{7}b")), "Invalid lastName: must not contain control characters."),
        (
            with("L4", "addresses", json!(vec![address; 101])),
            "Invalid addresses: must have at most 100 entries.",
        ),
        (with("E1", "emails", json!([{"emailId": "not-an-email"}])), "Invalid emails[0].emailId: must be a valid email address."),
        (with("U1", "nickname", json!("Jammy")), "Invalid nickname: is not a known field."),
        (with("G1", "genericInformation", json!("text")), "Invalid genericInformation: must be a JSON object."),
        (with("", "lastName", json!("x")), "Invalid customerId: must not be blank."),
    ];
    let mut customers = vec![customer("GOOD-1")];
    customers.extend(cases.iter().map(|(c, _)| c.clone()));
    customers.push(no_id);
    customers.push(phone_as_text.clone());
    let mut expected = vec![added("GOOD-1")];
    expected.extend(
        cases
            .iter()
            .map(|(c, message)| failed(c["customerId"].as_str().expect("an id"), message)),
    );
    expected.push(json!({"MESSAGE": "Input JSON data does not have customerId.", "STATUS": "FAILED", "customerId": null}));
    expected.push(added("GOOD-2"));

    let request = json!([{"caseId": "CA400", "customers": customers}]);
    assert_eq!(
        post(&app, &writer(&app), "addCustomer", &request).await,
        (
            StatusCode::OK,
            json!({
                "MESSAGE": "Customers addition was partially successful.",
                "STATUS": "PARTIALSUCCESS",
                "RESULTARRAY": [{
                    "MESSAGE": "Customers addition was partially successful.",
                    "STATUS": "PARTIALSUCCESS",
                    "caseId": "CA400",
                    "customers": expected
                }]
            })
        )
    );
    assert_eq!(
        case_customers(&app, "CA400").await,
        vec![stored(&customer("GOOD-1")), stored(&phone_as_text)],
        "only the valid customers were stored, the phone number as the string sent"
    );
}

async fn numbers_flags_and_nulls_come_back_as_sent(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA401"]).await;
    let sent = json!({
        "customerId": "CUST-N", "businessAdd": null, "middleName": "", "creditScore": 712.5,
        "estimatedNetWorth": -2500, "geoRisk": 0, "assetsOutsideOfUSCode": "N",
        "phones": [{"phoneNumber": 1234567890, "extensionNumber": 12345}],
        "accounts": null,
        "genericInformation": {"nested": {"list": [1, 2.5, "three", null, true]}, "empty": {}}
    });
    let answer = post(
        &app,
        &writer(&app),
        "addCustomer",
        &json!([{"caseId": "CA401", "customers": [sent]}]),
    )
    .await;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
    assert_eq!(
        answer.1["RESULTARRAY"][0]["customers"],
        json!([line("SUCCESS", "Customer added successfully.", "CUST-N")])
    );
    let mut expected = stored(&sent);
    expected["accounts"] = json!([]);
    expected["phones"][0]["phoneUsageCode"] = Value::Null;
    assert_eq!(case_customers(&app, "CA401").await, vec![expected]);
}

backend_tests!(
    each_invalid_customer_fails_alone_naming_the_field,
    numbers_flags_and_nulls_come_back_as_sent
);
