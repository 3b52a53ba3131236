//! Hostile inputs against the real app, every API in its own envelope: each
//! is answered with a clear 4xx (or, for hostile strings, stored verbatim, or
//! never kept where the field is not the client's to set),
//! and the app is healthy afterwards.
//!
//! The cases are a table (`hostile::cases`) run against a table of APIs
//! (`hostile::Api`); every mismatch is collected, so one run lists them all.

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::cam::{
    ecm_token, fabric_error, seed_create_prospect, token, APP_KEY, APP_SECRET, OPERATIONS,
};
use support::hostile::{injection_sweep, run_cases, Api, Hostile, ECM};
use testkit::{backend_tests, Backend};

async fn every_api_refuses_hostile_input_in_its_envelope(backend: Backend) {
    let hostile = Hostile::spawn(backend).await;
    let mut failures = Vec::new();
    for api in Api::ALL {
        failures.extend(run_cases(&hostile, api).await);
        failures.extend(injection_sweep(&hostile, api).await);
        failures.extend(hostile.still_healthy(api).await);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

async fn a_traversing_file_name_never_leaves_the_store(backend: Backend) {
    let hostile = Hostile::spawn(backend).await;
    let name = "../../etc/passwd.pdf";
    for api in [Api::Document, Api::Cam] {
        let (status, body) = hostile.upload(api, name).await;
        assert_eq!(
            (status, body),
            (StatusCode::BAD_REQUEST, api.file_name_refusal()),
            "{api:?}"
        );
    }
    assert_eq!(hostile.files_outside_the_store(), Vec::<String>::new());
    let (status, body) = hostile.upload(Api::Document, "passwd.pdf").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn ten_thousand_customers_hit_the_documented_limit(backend: Backend) {
    let hostile = Hostile::spawn(backend).await;
    let customers: Vec<Value> = (0..10_000)
        .map(|i| support::hostile::ecm_customer(&format!("C{i}")))
        .collect();
    let body = json!([{"caseId": support::hostile::CASE, "customers": customers}]);
    assert_eq!(
        hostile.ecm("addCustomer", body.to_string()).await,
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            json!({"MESSAGE": "The request carries 10000 customers; at most 1000 are accepted per request.", "STATUS": "FAILED"})
        )
    );
    assert_eq!(hostile.still_healthy(Api::Ecm).await, Vec::<String>::new());
}

/// Issue 17, finding 6: an analyst's `case:write` token, minted for the ECM
/// API, created a CAM application, because both APIs checked one audience.
/// Now each API takes only its own: the analyst's token is refused by the
/// CAM API and an applicant's by the ECM API (even with `case:write`), each
/// in its own envelope, and each still opens its own API.
async fn a_token_for_one_api_opens_no_other(backend: Backend) {
    let hostile = Hostile::spawn(backend).await;
    let app = &hostile.app;
    let cam = |token: &str| {
        app.anonymous(
            reqwest::Method::POST,
            &format!("{OPERATIONS}/PersonalInfo/createProspectProfile"),
        )
        .header("X-Kony-App-Key", APP_KEY)
        .header("X-Kony-App-Secret", APP_SECRET)
        .header("X-Kony-Authorization", token)
        .json(&seed_create_prospect())
    };
    let ecm = |token: &str| {
        app.anonymous(reqwest::Method::POST, &format!("{ECM}/createCase"))
            .bearer_auth(token)
            .json(&json!([{"caseId": "CA-CROSS"}]))
    };
    let analyst = ecm_token("analyst-cross", &["case:write", "case:read"]);
    let applicant = token("applicant-cross", &["case:write"]);
    assert_eq!(
        testkit::call(cam(&analyst)).await,
        (
            StatusCode::UNAUTHORIZED,
            fabric_error(
                401,
                10102,
                "X-Kony-Authorization: a valid end-user token is required"
            )
        ),
        "the ECM analyst's token on the CAM API"
    );
    assert_eq!(
        testkit::call(ecm(&applicant)).await,
        (
            StatusCode::UNAUTHORIZED,
            json!({"MESSAGE": "Authentication failed. A valid bearer token is required.", "STATUS": "FAILED"})
        ),
        "the CAM applicant's token on the ECM API"
    );
    let (status, created) = testkit::call(cam(&applicant)).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let (status, cases) = testkit::call(ecm(&analyst)).await;
    assert_eq!(status, StatusCode::OK, "{cases}");
}

/// createPreRequirements documents a form (`jsondata=...`) and, per SPEC,
/// takes JSON too; hostile forms are refused in the Fabric envelope, and a
/// hostile file info is refused before anything is stored.
async fn cam_forms_and_files_refuse_hostile_input(backend: Backend) {
    let hostile = Hostile::spawn(backend).await;
    let deep = format!("jsondata=%7B%22a%22%3A{}", "%5B".repeat(10_000));
    // An unknown key is ignored there, iteratively (no recursion to exhaust).
    let closed = format!("{deep}{}%7D", "%5D".repeat(10_000));
    let form = "application/x-www-form-urlencoded";
    let refused = |code, message| (StatusCode::BAD_REQUEST, fabric_error(400, code, message));
    let table: Vec<(&str, Vec<u8>, (StatusCode, Value))> = vec![
        (
            form,
            b"jsondata=%7B%7D".to_vec(),
            (StatusCode::OK, Value::Null),
        ),
        (
            "application/json",
            b"{}".to_vec(),
            (StatusCode::OK, Value::Null),
        ),
        (
            form,
            b"jsondata=%FF".to_vec(),
            refused(10001, "jsondata: is not valid JSON: expected value"),
        ),
        (
            form,
            deep.into_bytes(),
            refused(
                10001,
                "jsondata: is not valid JSON: EOF while parsing a list",
            ),
        ),
        (form, closed.into_bytes(), (StatusCode::OK, Value::Null)),
        (
            form,
            b"jsondata=%7B%7D&jsondata=%7B%7D".to_vec(),
            refused(10001, "jsondata: must be sent once"),
        ),
        (
            form,
            b"jsondata=%7B%22Application_id%22%3A%22%27%20OR%201%3D1%20--%22%7D".to_vec(),
            (
                StatusCode::NOT_FOUND,
                fabric_error(
                    404,
                    10201,
                    "Application_id: no such application of the caller",
                ),
            ),
        ),
    ];
    let mut failures = Vec::new();
    for (content_type, body, want) in table {
        let got = hostile.pre_requirements(content_type, body.clone()).await;
        // A success's whole body is the seed flow's concern; here its status.
        let got = (
            got.0,
            if got.0 == StatusCode::OK {
                Value::Null
            } else {
                got.1
            },
        );
        if got != want {
            let sent = String::from_utf8_lossy(&body[..body.len().min(40)]).into_owned();
            failures.push(format!(
                "{content_type} {sent:?}:\n  got  {got:?}\n  want {want:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(hostile.still_healthy(Api::Cam).await, Vec::<String>::new());
    assert_eq!(
        hostile.upload_with(Api::Cam, "proof.pdf", "a\u{0}b").await,
        (
            StatusCode::BAD_REQUEST,
            fabric_error(
                400,
                10003,
                "Response[0].fileInfo: must not contain control characters"
            )
        )
    );
    assert_eq!(
        hostile
            .upload_with(Api::Document, "proof.pdf", "a\u{0}b")
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
}

backend_tests!(
    a_token_for_one_api_opens_no_other,
    cam_forms_and_files_refuse_hostile_input,
    every_api_refuses_hostile_input_in_its_envelope,
    a_traversing_file_name_never_leaves_the_store,
    ten_thousand_customers_hit_the_documented_limit
);
