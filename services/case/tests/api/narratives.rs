//! `addNarrative` (ECM guide 4.18): the vendor's sample, the partly and
//! wholly failed trees, each answered whole; narratives read back oldest
//! first, a page at a time, and sealed at rest.

use crate::description::audited;
use crate::helpers::{create_cases, envelope, post, post_raw, reader, spawn_with, writer, ANALYST};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::at_rest::database_text;
use testkit::{backend_tests, Backend, TestApp, KEY_A};

/// The vendor's request sample, verbatim (its narrative is "...": any
/// plain text).
const SAMPLE: &str = r#"[{"caseId":"CA100","narrative":"..."}]"#;

/// One item of the answer.
fn item(message: &str, status: &str, case_id: &str) -> Value {
    json!({"MESSAGE": message, "STATUS": status, "caseId": case_id})
}

fn added(case_id: &str) -> Value {
    item("Narrative added successfully.", "SUCCESS", case_id)
}

fn failed(case_id: &str, message: &str) -> Value {
    item(message, "FAILED", case_id)
}

/// The whole answer, rolled up as `status` with `message`.
fn answer(message: &str, status: &str, items: Vec<Value>) -> Value {
    json!({"MESSAGE": message, "STATUS": status, "RESULTARRAY": items})
}

/// The narratives of `case_id`, page by page (`limit` a page), without
/// their times (checked to be there).
pub async fn narratives_of(app: &TestApp, case_id: &str, limit: u32) -> Vec<Value> {
    let mut all = Vec::new();
    let mut request = json!({"caseId": case_id, "limit": limit});
    loop {
        let (status, page) = post(app, &reader(app), "getCaseDetails", &request).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for n in page["narratives"].as_array().expect("narratives") {
            assert!(n["createdOn"].is_string(), "{n}");
            let mut n = n.clone();
            n.as_object_mut().expect("a narrative").remove("createdOn");
            all.push(n);
        }
        request["narrativesCursor"] = page["nextNarrativesCursor"].clone();
        if request["narrativesCursor"].is_null() {
            return all;
        }
    }
}

async fn the_vendor_sample_and_partial_and_failed_trees(backend: Backend) {
    let app = spawn_with(backend, &[("ENCRYPTION_KEYS", KEY_A)]).await;
    create_cases(&app, &["CA100", "CA101"]).await;
    let token = writer(&app);
    assert_eq!(
        post_raw(&app, Some(&token), "addNarrative", SAMPLE.to_owned()).await,
        (
            StatusCode::OK,
            answer(
                "Narrative addition was successful.",
                "SUCCESS",
                vec![added("CA100")]
            )
        )
    );

    let secret = "Victim SSN 123-12-1234 confirmed by phone.\n\tSecond paragraph.";
    let partly = json!([
        {"caseId": "CA100", "narrative": secret},
        {"caseId": "CA3600", "narrative": "Unknown case."},
        {"caseId": "CA101", "narrative": ""},
        {"caseId": "CA101"},
        {"caseId": "CA101", "narrative": "x".repeat(10_001)},
        {"caseId": "CA101", "narrative": "bell\u{7}"},
        {"caseId": "CA101", "narrative": 5}
    ]);
    assert_eq!(
        post(&app, &token, "addNarrative", &partly).await,
        (
            StatusCode::OK,
            answer(
                "Narrative addition was partially successful.",
                "PARTIALSUCCESS",
                vec![
                    added("CA100"),
                    failed("CA3600", "Case does not exist."),
                    failed("CA101", "Invalid narrative: must not be blank."),
                    failed("CA101", "Input JSON data does not have narrative."),
                    failed("CA101", "Invalid narrative: must be at most 10000 characters."),
                    failed(
                        "CA101",
                        "Invalid narrative: must not contain control characters other than line breaks and tabs."
                    ),
                    failed(
                        "CA101",
                        "Invalid narrative: invalid type: integer `5`, expected a string."
                    ),
                ]
            )
        )
    );

    let none = json!([
        {"caseId": "CA3600", "narrative": "Unknown case."},
        {"caseId": "CA101", "narrative": " \n "}
    ]);
    assert_eq!(
        post(&app, &token, "addNarrative", &none).await,
        (
            StatusCode::BAD_REQUEST,
            answer(
                "Narrative addition failed.",
                "FAILED",
                vec![
                    failed("CA3600", "Case does not exist."),
                    failed("CA101", "Invalid narrative: must not be blank."),
                ]
            )
        )
    );

    let narrative =
        |id: i64, text: &str| json!({"narrativeId": id, "narrative": text, "createdBy": ANALYST});
    let expected = vec![narrative(1, "..."), narrative(2, secret)];
    assert_eq!(
        narratives_of(&app, "CA100", 1).await,
        expected,
        "newest last, a page at a time"
    );
    assert_eq!(narratives_of(&app, "CA100", 100).await, expected);
    assert_eq!(narratives_of(&app, "CA101", 100).await, Vec::<Value>::new());
    let added_audit = |id: &str, text: &str| {
        json!({"actor": ANALYST, "action": "narrativeAdded", "customerId": null,
               "fromStatus": null, "toStatus": null, "recordId": id,
               "oldValue": null, "newValue": text})
    };
    assert_eq!(
        audited(&app, "CA100", "narrativeAdded").await,
        vec![added_audit("1", "..."), added_audit("2", secret)]
    );

    // Sealed at rest: the text is nowhere in the database (neither with the
    // narrative nor in the audit trail).
    let stored = database_text(app.backend, &app.vars["CASE_DATABASE_URL"]);
    testkit::assert_absent(
        "the database",
        &stored,
        &["123-12-1234", "Second paragraph"],
    );
}

async fn bodies_not_of_the_documented_shape_are_refused_whole(backend: Backend) {
    let app = spawn_with(backend, &[]).await;
    create_cases(&app, &["CA100"]).await;
    let token = writer(&app);
    let invalid = envelope("Invalid JSON Input format. Please correct the data.");
    let no_case = envelope("Input JSON data does not have caseId.");
    let good = json!({"caseId": "CA100", "narrative": "fine"});
    for (body, expected) in [
        ("[{\"caseId\": \"CA100\",".to_owned(), invalid.clone()),
        (good.to_string(), invalid.clone()),
        ("[]".to_owned(), invalid.clone()),
        (json!([good, 5]).to_string(), invalid.clone()),
        (
            json!([good, {"caseId": "CA100", "narrative": "x", "note": 1}]).to_string(),
            invalid.clone(),
        ),
        (
            json!([good, {"narrative": "x"}]).to_string(),
            no_case.clone(),
        ),
        (
            json!([good, {"caseId": null, "narrative": "x"}]).to_string(),
            no_case.clone(),
        ),
    ] {
        assert_eq!(
            post_raw(&app, Some(&token), "addNarrative", body.clone()).await,
            (StatusCode::BAD_REQUEST, expected),
            "{body}"
        );
    }
    assert_eq!(
        narratives_of(&app, "CA100", 100).await,
        Vec::<Value>::new(),
        "nothing applied"
    );
    let (status, answer) = post(
        &app,
        &reader(&app),
        "getCaseDetails",
        &json!({"caseId": "CA100", "narrativesCursor": "not-an-id"}),
    )
    .await;
    assert_eq!(
        (status, answer),
        (
            StatusCode::BAD_REQUEST,
            envelope("Invalid narrativesCursor: must be the nextCursor of the previous page.")
        )
    );
}

backend_tests!(
    the_vendor_sample_and_partial_and_failed_trees,
    bodies_not_of_the_documented_shape_are_refused_whole
);
