//! Requests refused as a whole, in the ECM envelope, with nothing applied.

use crate::helpers::{
    case_answer, case_customers, create_cases, customer, envelope, post_raw, reader, spawn,
    spawn_with, writer, OPS,
};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;
use testkit::{backend_tests, Backend};

const INVALID: &str = "Invalid JSON Input format. Please correct the data.";

async fn bodies_not_of_the_documented_shape_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA800"]).await;
    let token = writer(&app);
    // Every batch operation on the parts of cases reads its body the same
    // way: the shape is checked before anything is applied.
    for (op, key, part) in [
        ("addCustomer", "customers", customer("CUST-1")),
        (
            "removeCustomer",
            "customers",
            json!({"customerId": "CUST-1"}),
        ),
        ("addAccount", "accounts", json!({"accountId": "A-1"})),
        ("removeAccount", "accounts", json!({"accountId": "A-1"})),
        (
            "addExternalEntity",
            "externalEntities",
            json!({"externalEntity": "E-1"}),
        ),
        (
            "removeExternalEntity",
            "externalEntities",
            json!({"externalEntity": "E-1"}),
        ),
        (
            "addTransaction",
            "transactions",
            json!({"transactionReferenceId": "T-1"}),
        ),
        (
            "removeTransaction",
            "transactions",
            json!({"transactionReferenceId": "T-1"}),
        ),
        (
            "updateEventRiskDecision",
            "events",
            json!({"eventCode": "E-1", "eventDecisionCode": 1}),
        ),
        (
            "reviewEvidence",
            "evidence",
            json!({"documentId": "D-1", "decision": "ACCEPT"}),
        ),
    ] {
        let good = json!({"caseId": "CA800", key: [part.clone()]});
        let refused = [
            ("[{\"caseId\": \"CA800\",".to_owned(), INVALID),
            ("not json".to_owned(), INVALID),
            (good.to_string(), INVALID),
            ("[]".to_owned(), INVALID),
            (json!([good, 5]).to_string(), INVALID),
            (json!([good, {"caseId": 800, key: []}]).to_string(), INVALID),
            (
                json!([good, {"caseId": "CA800", key: part}]).to_string(),
                INVALID,
            ),
            (
                json!([good, {"caseId": "CA800", key: ["X-2"]}]).to_string(),
                INVALID,
            ),
            (json!([good, {"caseId": "CA800"}]).to_string(), INVALID),
            (
                json!([good, {"caseId": "CA800", key: [], "note": "x"}]).to_string(),
                INVALID,
            ),
            (
                json!([good, {"caseId": "CA800", "parts": [part]}]).to_string(),
                INVALID,
            ),
            (
                json!([good, {key: [part]}]).to_string(),
                "Input JSON data does not have caseId.",
            ),
            (
                json!([good, {"caseId": null, key: []}]).to_string(),
                "Input JSON data does not have caseId.",
            ),
            (
                json!([good, {"caseId": "", key: []}]).to_string(),
                "Input JSON data does not have caseId.",
            ),
        ];
        for (body, message) in refused {
            assert_eq!(
                post_raw(&app, Some(&token), op, body.clone()).await,
                (StatusCode::BAD_REQUEST, envelope(message)),
                "{op}: {body}"
            );
        }
    }
    assert_eq!(
        case_customers(&app, "CA800").await,
        Vec::<serde_json::Value>::new(),
        "nothing applied"
    );
    let (_, details) = crate::helpers::post(
        &app,
        &reader(&app),
        "getCaseDetails",
        &json!({"caseId": "CA800"}),
    )
    .await;
    for list in ["accounts", "externalEntities", "transactions"] {
        assert_eq!(details[list], json!([]), "nothing applied: {list}");
    }

    let response = app
        .anonymous(reqwest::Method::POST, &format!("{OPS}/addCustomer"))
        .bearer_auth(&token)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("caseId=CA800")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        response.json::<serde_json::Value>().await.expect("json"),
        envelope("Unsupported media type. The body must be application/json.")
    );
}

async fn limits_unknown_operations_and_methods_answer_in_the_envelope(backend: Backend) {
    let app = spawn_with(
        backend,
        &[
            ("CASE_MAX_CUSTOMERS_PER_REQUEST", "3"),
            ("CASE_MAX_BODY_BYTES", "4096"),
        ],
    )
    .await;
    create_cases(&app, &["CA810"]).await;
    let token = writer(&app);
    let four = json!([
        {"caseId": "CA810", "customers": [customer("C1"), customer("C2")]},
        {"caseId": "CA810", "customers": [customer("C3"), customer("C4")]}
    ]);
    assert_eq!(
        post_raw(&app, Some(&token), "addCustomer", four.to_string()).await,
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            envelope("The request carries 4 customers; at most 3 are accepted per request.")
        )
    );
    let mut big = customer("C1");
    big["genericInformation"] = json!({"notes": "x".repeat(5000)});
    assert_eq!(
        post_raw(
            &app,
            Some(&token),
            "addCustomer",
            json!([{"caseId": "CA810", "customers": [big]}]).to_string()
        )
        .await,
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            envelope("The request body exceeds 4096 bytes.")
        )
    );
    assert_eq!(
        case_customers(&app, "CA810").await,
        Vec::<serde_json::Value>::new()
    );

    assert_eq!(
        post_raw(&app, Some(&reader(&app)), "addWidget", "[]".into()).await,
        (StatusCode::NOT_FOUND, envelope("Unknown operation."))
    );
    let response = app
        .anonymous(reqwest::Method::GET, &format!("{OPS}/addCustomer"))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        (
            response.status(),
            response.headers()["allow"]
                .to_str()
                .expect("text")
                .to_owned()
        ),
        (StatusCode::METHOD_NOT_ALLOWED, "POST".to_owned())
    );
    assert_eq!(
        response.json::<serde_json::Value>().await.expect("json"),
        envelope("Method not allowed. Every operation is POST.")
    );
}

/// Hostile bodies on the real-time event operations: the vendor answers
/// every refusal of these 500, in the operation's casing; the body's size
/// and type, the method and the path keep their own status. Nothing is
/// saved by any of them.
async fn hostile_bodies_on_the_real_time_operations(backend: Backend) {
    let app = spawn_with(backend, &[("CASE_MAX_BODY_BYTES", "4096")]).await;
    let token = writer(&app);
    let deep = format!("{}{}", "[".repeat(2_000), "]".repeat(2_000));
    let mut nul = crate::events::sample();
    nul["events"][0]["comments"] = json!("a\u{0}b");
    let mut huge_number = crate::events::sample();
    huge_number["entities"][0]["atmDailyLimit"] = json!(1e300);
    let mut long_code = crate::events::sample();
    long_code["events"][0]["eventCode"] = json!("E".repeat(65));
    let too_many = json!({"events": vec![crate::events::sample()["events"][0].clone(); 101]});
    let refused: Vec<(String, &str)> = vec![
        ("not json".into(), INVALID),
        (deep, INVALID),
        ("\"events\"".into(), INVALID),
        (json!({"events": [5]}).to_string(), "Invalid events[0]: must be a JSON object."),
        (nul.to_string(), "Invalid events[0].comments: must not contain control characters."),
        (huge_number.to_string(), "Invalid entities[0].atmDailyLimit: must be a number with at most 16 digits before the decimal point and 8 after it."),
        (long_code.to_string(), "Invalid events[0].eventCode: must be at most 64 characters."),
    ];
    for (op, upper) in [
        ("saveEvents", true),
        ("saveEventsAndPromoteToCase", false),
        ("saveEventsAndExtendToCase", false),
    ] {
        for (body, message) in &refused {
            let expected = if upper {
                envelope(message)
            } else {
                json!({"message": message, "status": "FAILED"})
            };
            let shown: String = body.chars().take(80).collect();
            assert_eq!(
                crate::events::real_time(&app, Some(&token), op, body.clone()).await,
                (StatusCode::INTERNAL_SERVER_ERROR, expected),
                "{op} {shown}"
            );
        }
        let (status, _) =
            crate::events::real_time(&app, Some(&token), op, too_many.to_string()).await;
        assert_eq!(
            status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{op}: over CASE_MAX_BODY_BYTES"
        );
        let path = format!("{}/{op}", crate::events::REAL_TIME);
        let response = app
            .anonymous(reqwest::Method::POST, &path)
            .bearer_auth(&token)
            .header("content-type", "text/plain")
            .body(crate::events::SAMPLE)
            .send()
            .await
            .expect("sent");
        assert_eq!(
            response.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{op}"
        );
        let response = app
            .anonymous(reqwest::Method::GET, &path)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{op}");
    }
    assert_eq!(
        crate::helpers::post_to(
            &app,
            Some(&token),
            "/rest-api/CMRestService/RealTimeCaseCreationService/saveEvent",
            "{}".into()
        )
        .await,
        (StatusCode::NOT_FOUND, envelope("Unknown operation."))
    );
    assert_eq!(
        crate::events::real_time(
            &app,
            Some(&token),
            "saveEvents",
            crate::events::SAMPLE.into()
        )
        .await
        .0,
        StatusCode::OK,
        "nothing was saved"
    );
}

/// The hostile-input table of the operations on one case's description,
/// narratives, lock, assignee and recommendation, and of the inbox's search (its `query`
/// a LIKE prefix whose wildcards must stay literal): each body (`__X__`
/// marks where the hostile value goes, raw JSON) and hostile value, with
/// the whole answer owed. None is a 5xx, and nothing is applied but the
/// strings stored verbatim.
async fn hostile_input_to_description_narratives_and_locks(backend: Backend) {
    let app = spawn_with(backend, &[("CASE_MAX_BODY_BYTES", "65536")]).await;
    create_cases(&app, &["CA820"]).await;
    let token = writer(&app);
    let bad = StatusCode::BAD_REQUEST;
    let deep = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    let invalid = || (bad, envelope(INVALID));
    let no_control = "Invalid caseId: must not contain control characters.";
    let narrative_failed = |message: &str| {
        (
            bad,
            json!({"MESSAGE": "Narrative addition failed.", "STATUS": "FAILED",
                   "RESULTARRAY": [{"MESSAGE": message, "STATUS": "FAILED", "caseId": "CA820"}]}),
        )
    };
    let description = r#"{"caseId": "CA820", "caseDescription": __X__}"#;
    let description_id = r#"{"caseId": __X__, "caseDescription": "fine"}"#;
    let narrative = r#"[{"caseId": "CA820", "narrative": __X__}]"#;
    let lock = r#"{"caseId": __X__}"#;
    let search = r#"{"query": __X__}"#;
    let search_limit = r#"{"statusCodes": ["NW"], "limit": __X__}"#;
    let assign = r#"[{"caseId": "CA820", "assignee": __X__}]"#;
    let none_found = (
        StatusCode::OK,
        json!({"MESSAGE": "Cases fetched successfully.", "STATUS": "SUCCESS",
               "total": 0, "totalCapped": false, "limit": 25, "offset": 0, "cases": []}),
    );
    let assign_failed = |message: &str| {
        (
            bad,
            json!({"MESSAGE": "Case assignment failed.", "STATUS": "FAILED",
                   "RESULTARRAY": [{"MESSAGE": message, "STATUS": "FAILED", "caseId": "CA820"}]}),
        )
    };
    let recommend = r#"[{"caseId": "CA820", "caseStatusCode": "APR", "comment": __X__}]"#;
    let recommend_failed = |message: &str| {
        (
            bad,
            json!({"MESSAGE": "Case status recommendation failed.", "STATUS": "FAILED",
                   "RESULTARRAY": [{"MESSAGE": message, "STATUS": "FAILED", "caseId": "CA820"}]}),
        )
    };
    let table: Vec<(&str, &str, &str, (StatusCode, serde_json::Value))> = vec![
        ("updateCaseDescription", description, "\"a\\u0000b\"", (bad, case_answer("Invalid caseDescription: must not contain control characters.", "FAILED", "CA820"))),
        ("updateCaseDescription", description, "\"'; DROP TABLE cases; --\"", (StatusCode::OK, json!({"MESSAGE": "Case description updated successfully.", "STATUS": "SUCCESS", "caseId": "CA820"}))),
        ("updateCaseDescription", description, &deep, invalid()),
        ("updateCaseDescription", description, "1e400", invalid()),
        ("updateCaseDescription", description, "-99999999999999999999999", invalid()),
        ("updateCaseDescription", description, "\"x\", \"caseDescription\": \"y\"", invalid()),
        ("updateCaseDescription", description_id, "\"CA\\u0000820\"", (bad, envelope(no_control))),
        ("addNarrative", narrative, "\"a\\u0000b\"", narrative_failed("Invalid narrative: must not contain control characters other than line breaks and tabs.")),
        ("addNarrative", narrative, &deep, invalid()),
        ("addNarrative", narrative, "1e400", narrative_failed("Invalid narrative: invalid type: number, expected a string.")),
        ("addNarrative", narrative, "\"x\", \"narrative\": \"y\"", invalid()),
        ("addNarrative", narrative, "-99999999999999999999999", narrative_failed("Invalid narrative: invalid type: number, expected a string.")),
        ("lockCase", lock, "\"CA\\u0000820\"", (bad, envelope(no_control))),
        ("lockCase", lock, &deep, invalid()),
        ("lockCase", lock, "\"CA820\", \"caseId\": \"CA821\"", invalid()),
        ("unlockCase", lock, "\"CA\\u0000820\"", (bad, envelope(no_control))),
        ("unlockCase", lock, "1e400", invalid()),
        ("searchCases", search, "\"a\\u0000b\"", (bad, envelope("Invalid query: must not contain control characters."))),
        ("searchCases", search, "\"'; DROP TABLE cases; --\"", none_found.clone()),
        ("searchCases", search, "\"%\"", none_found.clone()),
        ("searchCases", search, "\"_A820\"", none_found),
        ("searchCases", search, &deep, invalid()),
        ("searchCases", search, "\"x\", \"query\": \"y\"", invalid()),
        ("searchCases", search_limit, "-99999999999999999999999", (bad, envelope("Invalid limit: must be a whole number from 1 to 100."))),
        ("assignCase", assign, "\"a\\u0000b\"", assign_failed("Invalid assignee: must be 1 to 200 printable characters, not blank.")),
        ("assignCase", assign, &deep, invalid()),
        ("assignCase", assign, "\"x\", \"assignee\": \"y\"", invalid()),
        ("assignCase", assign, "\"'; DROP TABLE cases; --\"", (StatusCode::OK, json!({"MESSAGE": "Case assignment was successful.", "STATUS": "SUCCESS",
            "RESULTARRAY": [{"MESSAGE": "Case assigned successfully.", "STATUS": "SUCCESS", "caseId": "CA820"}]}))),
        ("recommendCaseStatus", recommend, "\"a\\u0000b\"", recommend_failed("Invalid comment: must not contain control characters other than line breaks and tabs.")),
        ("recommendCaseStatus", recommend, &deep, invalid()),
        ("recommendCaseStatus", recommend, "1e400", recommend_failed("Invalid comment: invalid type: number, expected a string.")),
        ("recommendCaseStatus", recommend, "\"x\", \"comment\": \"y\"", invalid()),
        ("recommendCaseStatus", recommend, "\"'; DROP TABLE cases; --\"", (StatusCode::OK, json!({"MESSAGE": "Case status recommendation was successful.", "STATUS": "SUCCESS",
            "RESULTARRAY": [{"MESSAGE": "Case status recommended successfully.", "STATUS": "SUCCESS", "caseId": "CA820"}]}))),
    ];
    for (op, template, value, expected) in table {
        let body = template.replace("__X__", value);
        assert_eq!(
            post_raw(&app, Some(&token), op, body).await,
            expected,
            "{op} with {}",
            &value[..value.len().min(40)]
        );
    }
    for op in [
        "updateCaseDescription",
        "addNarrative",
        "lockCase",
        "unlockCase",
        "searchCases",
        "assignCase",
        "recommendCaseStatus",
    ] {
        let mut utf8 = br#"{"caseId": "CA8\u0001"}"#.to_vec();
        let at = utf8.iter().position(|b| *b == b'\\').expect("the marker");
        utf8.splice(at..at + 6, [0xff]);
        let response = app
            .anonymous(reqwest::Method::POST, &format!("{OPS}/{op}"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(utf8)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{op}");
        assert_eq!(
            response.json::<serde_json::Value>().await.expect("json"),
            envelope(INVALID)
        );
        assert_eq!(
            post_raw(&app, Some(&token), op, " ".repeat(70_000)).await,
            (
                StatusCode::PAYLOAD_TOO_LARGE,
                envelope("The request body exceeds 65536 bytes.")
            ),
            "{op}"
        );
    }
    let (_, details) = post_raw(
        &app,
        Some(&reader(&app)),
        "getCaseDetails",
        json!({"caseId": "CA820"}).to_string(),
    )
    .await;
    assert_eq!(
        (
            &details["case"]["caseDescription"],
            &details["narratives"],
            &details["lock"],
            &details["case"]["assignee"]
        ),
        (
            &json!("'; DROP TABLE cases; --"),
            &json!([]),
            &serde_json::Value::Null,
            &json!("'; DROP TABLE cases; --")
        ),
        "only the hostile string stored verbatim was applied"
    );
}

/// Issue 17, finding 8: a client that declares a body and sends one byte of
/// it is answered 408 in the ECM envelope once the request-body deadline
/// passes, and its connection is closed; nothing is applied.
async fn a_body_sent_too_slowly_is_refused(backend: Backend) {
    let app = spawn_with(backend, &[("REQUEST_BODY_TIMEOUT_SECS", "1")]).await;
    let bearer = format!("Bearer {}", writer(&app));
    let answer = app
        .send_slowly(
            &format!("{OPS}/createCase"),
            &[
                ("Authorization", &bearer),
                ("Content-Type", "application/json"),
            ],
            100,
            b"[",
            Duration::from_secs(15),
        )
        .await;
    answer.assert_timed_out(&envelope(
        "Request timeout. The body was not received within 1 seconds.",
    ));
    // A body that comes whole in time is read as before.
    let (status, body) = post_raw(
        &app,
        Some(&writer(&app)),
        "createCase",
        json!([{"caseId": "CA900"}]).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

backend_tests!(
    a_body_sent_too_slowly_is_refused,
    bodies_not_of_the_documented_shape_are_refused,
    limits_unknown_operations_and_methods_answer_in_the_envelope,
    hostile_bodies_on_the_real_time_operations,
    hostile_input_to_description_narratives_and_locks
);
