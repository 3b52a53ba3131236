//! Real-time events (ECM guide 4.1-4.3): the appendix C sample verbatim
//! through each operation, whole answers asserted and read back; an event
//! code promoted twice at once; refusals naming the field, with nothing
//! saved.

use crate::helpers::{
    case_details, create_cases, envelope, post, post_to, reader, spawn, spawn_with, stored, token,
    writer, ANALYST,
};
use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{backend_tests, Backend, TestApp};

/// The appendix C sample, verbatim.
pub const SAMPLE: &str = include_str!("events_sample.json");
/// Where the real-time operations live, and the guide's other spelling.
pub const REAL_TIME: &str = "/rest-api/CMRestService/RealTimeCaseCreationService";
const REAL_TIME_GUIDE: &str = "/restapi/CMRestService/RealTimeCaseCreationService";
/// The sample's customer.
pub const CUSTOMER: &str = "CUHRTHRCPHH-002";

/// Posts `body` to the real-time operation `op` with `token`.
pub async fn real_time(
    app: &TestApp,
    token: Option<&str>,
    op: &str,
    body: String,
) -> (StatusCode, Value) {
    post_to(app, token, &format!("{REAL_TIME}/{op}"), body).await
}

/// The sample as JSON.
pub fn sample() -> Value {
    serde_json::from_str(SAMPLE).expect("the sample parses")
}

/// The sample with another event code.
pub fn sample_as(event_code: &str) -> Value {
    let mut body = sample();
    body["events"][0]["eventCode"] = json!(event_code);
    body
}

/// The promote answer of one case and its events.
pub fn promoted(case_id: &str, codes: &[&str]) -> (StatusCode, Value) {
    (
        StatusCode::OK,
        json!({
            "message": "Event(s) saved and promoted to case successfully.", "status": "SUCCESS",
            "Event Id(s)": codes.join(","), "cases": [{"caseId": case_id, "eventCodes": codes}]
        }),
    )
}

/// Promotes the sample, which opens case CA1 (the first generated id),
/// asserting the whole answer.
pub async fn promote_sample(app: &TestApp) {
    assert_eq!(
        real_time(
            app,
            Some(&writer(app)),
            "saveEventsAndPromoteToCase",
            SAMPLE.to_owned()
        )
        .await,
        promoted("CA1", &["POSTARJ1"])
    );
}

/// The sample's customer as its case shows it.
pub fn sample_customer() -> Value {
    let sample = sample();
    stored(&json!({
        "customerId": CUSTOMER, "customerTypeCode": "IND", "firstName": "ANDREW",
        "lastName": "ELEVENTH", "taxId": "TAXHRTHRCPHH-002", "jurisdictionCode": "AMEA",
        "businessDomainCode": "a", "legalStructure": "GOV", "addedOn": "2014-12-31 00:00:00",
        "customerStatusCode": "A", "estimatedNetWorth": 1182552, "estimatedAnnualIncome": 168936,
        "effectiveRisk": 2, "genericInformation": sample["entities"][1]["genericInformation"]
    }))
}

/// The sample's event as a case shows it, saved at `at`.
pub fn sample_event(event_code: &str, at: &str) -> Value {
    let mut sent = sample()["events"][0].clone();
    sent["eventCode"] = json!(event_code);
    let mut event = json!({"event": sent});
    for (key, value) in [
        ("suppressedBy", Value::Null),
        ("eventDecisionCode", Value::Null),
        ("standardCommentId", Value::Null),
        ("decisionComments", Value::Null),
        ("decidedBy", Value::Null),
        ("decidedAt", Value::Null),
        ("savedAt", json!(at)),
        ("savedBy", json!(ANALYST)),
    ] {
        event[key] = value;
    }
    event
}

async fn save_events_takes_the_sample_verbatim(backend: Backend) {
    let app = spawn(backend).await;
    let token = writer(&app);
    assert_eq!(
        real_time(&app, Some(&token), "saveEvents", SAMPLE.to_owned()).await,
        (
            StatusCode::OK,
            json!({"MESSAGE": "Event(s) saved successfully.", "STATUS": "SUCCESS", "Event Id(s)": "POSTARJ1"})
        )
    );
    for op in ["saveEvents", "saveEventsAndPromoteToCase"] {
        let (status, answer) = real_time(&app, Some(&token), op, SAMPLE.to_owned()).await;
        let expected = if op == "saveEvents" {
            envelope("Event lookup entry already exists.")
        } else {
            json!({"message": "Event lookup entry already exists.", "status": "FAILED"})
        };
        assert_eq!(
            (status, answer),
            (StatusCode::INTERNAL_SERVER_ERROR, expected),
            "{op}"
        );
    }
    // Saved alone: no case was opened.
    assert_eq!(
        post(
            &app,
            &reader(&app),
            "getCaseStatusDetails",
            &json!([{"caseId": "CA1"}])
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );
}

async fn promote_opens_a_case_from_the_sample(backend: Backend) {
    let app = spawn_with(backend, &[("CASE_DUE_DAYS", "10")]).await;
    let token = writer(&app);
    promote_sample(&app).await;
    let details = case_details(&app, "CA1").await;
    let at = details["case"]["createdOn"]
        .as_str()
        .expect("createdOn")
        .to_owned();
    let saved_at = details["events"][0]["savedAt"]
        .as_str()
        .expect("savedAt")
        .to_owned();
    let due = (chrono::Utc::now().date_naive() + chrono::Days::new(10)).to_string();
    assert_eq!(
        details,
        crate::helpers::with_nothing_else(json!({
            "MESSAGE": "Case details fetched successfully.", "STATUS": "SUCCESS",
            "case": {
                "caseId": "CA1", "caseTypeCode": "AML", "caseDescription": null,
                "caseStatusCode": "NW", "caseStatusName": "New", "caseStatusDateTime": at,
                "caseClosedFlag": "N", "createdOn": at, "createdBy": ANALYST,
                "priority": "Low", "dueDate": due, "assignee": null, "assignedAt": null
            },
            "customers": [sample_customer()],
            "effectiveRisk": "2",
            "nextCursor": null,
            "events": [sample_event("POSTARJ1", &saved_at)],
            "nextEventsCursor": null
        }))
    );
    let (_, trail) = post(
        &app,
        &reader(&app),
        "getCaseAudit",
        &json!({"caseId": "CA1"}),
    )
    .await;
    let actions: Vec<(Value, Value, Value, Value)> = trail["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["actor"].clone(),
                e["action"].clone(),
                e["toStatus"].clone(),
                e.get("eventCode")
                    .cloned()
                    .unwrap_or(e["customerId"].clone()),
            )
        })
        .collect();
    assert_eq!(
        actions,
        vec![
            (
                json!(ANALYST),
                json!("caseCreated"),
                json!("NW"),
                Value::Null
            ),
            (
                json!(ANALYST),
                json!("eventAdded"),
                Value::Null,
                json!("POSTARJ1")
            ),
            (
                json!(ANALYST),
                json!("customerAdded"),
                Value::Null,
                json!(CUSTOMER)
            ),
        ]
    );
    // The guide's spelling serves the same operation; a createCase id in
    // the generated form is skipped, not collided with.
    create_cases(&app, &["CA2"]).await;
    assert_eq!(
        post_to(
            &app,
            Some(&token),
            &format!("{REAL_TIME_GUIDE}/saveEventsAndPromoteToCase"),
            sample_as("POSTARJ2").to_string()
        )
        .await,
        promoted("CA3", &["POSTARJ2"])
    );
}

async fn extend_attaches_the_sample_to_a_case(backend: Backend) {
    let app = spawn(backend).await;
    let token = writer(&app);
    create_cases(&app, &["CA100"]).await;
    let mut body = sample();
    body["caseId"] = json!("CA100");
    assert_eq!(
        real_time(
            &app,
            Some(&token),
            "saveEventsAndExtendToCase",
            body.to_string()
        )
        .await,
        (
            StatusCode::OK,
            json!({
                "message": "Event(s) saved and extended to case successfully.", "status": "SUCCESS",
                "Event Id(s)": "POSTARJ1", "cases": [{"caseId": "CA100", "eventCodes": ["POSTARJ1"]}]
            })
        )
    );
    // A second event of the same customer: the customer is there already.
    let mut again = sample_as("POSTARJ9");
    again["caseId"] = json!("CA100");
    assert_eq!(
        real_time(
            &app,
            Some(&token),
            "saveEventsAndExtendToCase",
            again.to_string()
        )
        .await
        .0,
        StatusCode::OK
    );
    let details = case_details(&app, "CA100").await;
    assert_eq!(details["customers"], json!([sample_customer()]));
    let codes: Vec<&Value> = details["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| &e["event"]["eventCode"])
        .collect();
    assert_eq!(codes, vec!["POSTARJ1", "POSTARJ9"]);
    assert_eq!(
        (&details["case"]["priority"], &details["case"]["dueDate"]),
        (&Value::Null, &Value::Null)
    );

    let mut unknown = sample_as("POSTARJ3");
    unknown["caseId"] = json!("CA404");
    assert_eq!(
        real_time(
            &app,
            Some(&token),
            "saveEventsAndExtendToCase",
            unknown.to_string()
        )
        .await,
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"message": "Case does not exist.", "status": "FAILED"})
        )
    );
    // Nothing of the refused request was saved: its code is still free.
    assert_eq!(
        real_time(
            &app,
            Some(&token),
            "saveEvents",
            sample_as("POSTARJ3").to_string()
        )
        .await
        .0,
        StatusCode::OK
    );
}

const ATTEMPTS: usize = 8;

async fn the_same_event_promoted_twice_at_once_opens_one_case(backend: Backend) {
    let app = spawn(backend).await;
    let token = writer(&app);
    let answers = join_all((0..ATTEMPTS).map(|_| {
        real_time(
            &app,
            Some(&token),
            "saveEventsAndPromoteToCase",
            SAMPLE.to_owned(),
        )
    }))
    .await;
    let lost = (
        StatusCode::INTERNAL_SERVER_ERROR,
        json!({"message": "Event lookup entry already exists.", "status": "FAILED"}),
    );
    let winners: Vec<_> = answers.iter().filter(|a| **a != lost).collect();
    assert_eq!(winners.len(), 1, "{answers:#?}");
    let (status, won) = winners[0];
    assert_eq!(*status, StatusCode::OK, "{won}");
    let case_id = won["cases"][0]["caseId"]
        .as_str()
        .expect("a case")
        .to_owned();
    assert_eq!(*winners[0], promoted(&case_id, &["POSTARJ1"]));

    let details = case_details(&app, &case_id).await;
    assert_eq!(details["customers"], json!([sample_customer()]));
    assert_eq!(details["events"].as_array().map(Vec::len), Some(1));
    let (_, cases) = post(
        &app,
        &reader(&app),
        "getCustomerCases",
        &json!({"customerId": CUSTOMER}),
    )
    .await;
    assert_eq!(cases["cases"].as_array().map(Vec::len), Some(1), "{cases}");
}

/// The refusals of each operation: all 500, in the operation's casing.
async fn bad_requests_fail_naming_the_field_and_save_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let token = writer(&app);
    create_cases(&app, &["CA100"]).await;
    let with = |path: &[&str], value: Value| {
        let mut body = sample();
        let mut at = &mut body;
        for key in &path[..path.len() - 1] {
            at = match key.parse::<usize>() {
                Ok(i) => &mut at[i],
                Err(_) => &mut at[*key],
            };
        }
        at[path[path.len() - 1]] = value;
        body.to_string()
    };
    let mut two_focus = sample();
    let entity = two_focus["events"][0]["entities"][0].clone();
    two_focus["events"][0]["entities"]
        .as_array_mut()
        .expect("entities")
        .push(entity);
    let mut twice = sample();
    let event = twice["events"][0].clone();
    twice["events"].as_array_mut().expect("events").push(event);
    let cases: Vec<(&str, String, &str)> = vec![
        ("saveEvents", "not json".into(), "Invalid JSON Input format. Please correct the data."),
        ("saveEvents", "[]".into(), "Invalid JSON Input format. Please correct the data."),
        ("saveEvents", json!({"entities": []}).to_string(), "Input JSON data does not have events array."),
        ("saveEvents", json!({"events": []}).to_string(), "Input JSON data does not have events array."),
        ("saveEvents", json!({"events": {}}).to_string(), "Input JSON data does not have events array."),
        ("saveEvents", with(&["events", "0", "eventCode"], json!("")), "Invalid events[0].eventCode: must not be blank."),
        ("saveEvents", with(&["events", "0", "eventCode"], Value::Null), "Invalid events[0].eventCode: invalid type: null, expected a string."),
        ("saveEvents", with(&["events", "0", "colour"], json!("red")), "Invalid events[0].colour: is not a known field."),
        ("saveEvents", with(&["events", "0", "entities", "0", "focusFlag"], json!("X")), "Invalid events[0].entities[0].focusFlag: must be Y or N."),
        ("saveEvents", with(&["entities", "0", "estNetWorth"], json!("12,5")), "Invalid entities[0].estNetWorth: must be a decimal number written as a string, like \"1182552.50\"."),
        ("saveEvents", with(&["entities", "0", "added"], json!("2014-12-31")), "Invalid entities[0].added: must be a date and time written DD-MM-YYYY HH:MM:SS."),
        ("saveEvents", with(&["entities", "0", "entityTypeCode"], json!("ECM_ACCOUNT")), "Invalid entities[0].entityTypeCode: must be ECM_CUSTOMER or ECM_CUSTOMER_GENERIC."),
        ("saveEvents", with(&["entities", "1", "genericInformation"], Value::Null), "Input JSON data does not have entities[1].genericInformation."),
        ("saveEvents", with(&["entities", "0", "custId"], json!("NOBODY")), "Invalid entities[0].custId: no event names customer NOBODY."),
        ("saveEvents", with(&["caseId"], json!("CA100")), "Invalid caseId: is taken by saveEventsAndExtendToCase only."),
        ("saveEvents", twice.to_string(), "Invalid events[1].eventCode: appears twice in the request."),
        ("saveEventsAndPromoteToCase", with(&["events", "0", "entities", "0", "focusFlag"], json!("N")), "Invalid events[0].entities: one entity must have focusFlag Y to promote the event."),
        ("saveEventsAndPromoteToCase", two_focus.to_string(), "Invalid events[0].entities: only one entity may have focusFlag Y."),
        ("saveEventsAndExtendToCase", SAMPLE.to_owned(), "Input JSON data does not have caseId."),
        (
            "saveEvents",
            json!({"events": vec![sample()["events"][0].clone(); 101]}).to_string(),
            "Invalid events: must have at most 100 entries.",
        ),
    ];
    for (op, body, message) in cases {
        let expected = if op == "saveEvents" {
            envelope(message)
        } else {
            json!({"message": message, "status": "FAILED"})
        };
        assert_eq!(
            real_time(&app, Some(&token), op, body.clone()).await,
            (StatusCode::INTERNAL_SERVER_ERROR, expected),
            "{op} {body}"
        );
    }
    // Nothing was saved: the sample's code is free, and the case is empty.
    assert_eq!(
        real_time(&app, Some(&token), "saveEvents", SAMPLE.to_owned())
            .await
            .0,
        StatusCode::OK
    );
    let details = case_details(&app, "CA100").await;
    assert_eq!(
        (&details["customers"], &details["events"]),
        (&json!([]), &json!([]))
    );
}

async fn writes_need_a_token_with_case_write(backend: Backend) {
    let app = spawn(backend).await;
    let read_only = token(&app, "auditor-2", &["case:read"]);
    for base in [REAL_TIME, REAL_TIME_GUIDE] {
        for op in [
            "saveEvents",
            "saveEventsAndPromoteToCase",
            "saveEventsAndExtendToCase",
        ] {
            let path = format!("{base}/{op}");
            let (status, _) = post_to(&app, None, &path, SAMPLE.to_owned()).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
            let (status, _) = post_to(&app, Some(&read_only), &path, SAMPLE.to_owned()).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }
    }
    assert_eq!(
        real_time(&app, Some(&writer(&app)), "saveEvents", SAMPLE.to_owned())
            .await
            .0,
        StatusCode::OK,
        "nothing was saved by the refused requests"
    );
}

backend_tests!(
    save_events_takes_the_sample_verbatim,
    promote_opens_a_case_from_the_sample,
    extend_attaches_the_sample_to_a_case,
    the_same_event_promoted_twice_at_once_opens_one_case,
    bad_requests_fail_naming_the_field_and_save_nothing,
    writes_need_a_token_with_case_write
);
