//! Every refusal is a Fabric envelope naming the field; nothing is written.

use crate::helpers::{
    fabric, pdf_b64, profile, spawn, spawn_with, stored_documents, token, upload, User, APP_KEY,
    APP_SECRET, OPERATIONS,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use testkit::call;
use testkit::{backend_tests, Backend};

fn with(field: &str, value: Value) -> Value {
    let mut body = profile("Virat", "Kohli");
    if value.is_null() {
        body.as_object_mut().expect("object").remove(field);
    } else {
        body[field] = value;
    }
    body
}

async fn bad_profiles_name_the_field(backend: Backend) {
    let app = spawn(backend).await;
    let user = User::new(&app, "validator");
    let cases = [
        (
            with("FirstName", Value::Null),
            fabric(400, 10002, "FirstName: is required"),
        ),
        (
            with("Email", Value::Null),
            fabric(400, 10002, "Email: is required"),
        ),
        (
            with("DateOfBirth", json!("1985-02-30")),
            fabric(400, 10003, "DateOfBirth: 1985-02-30 is not a real date"),
        ),
        (
            with("DateOfBirth", json!("2999-01-01")),
            fabric(400, 10003, "DateOfBirth: must not be in the future"),
        ),
        (
            with("DateOfBirth", json!("10-10-1985")),
            fabric(400, 10003, "DateOfBirth: must be a date written YYYY-MM-DD"),
        ),
        (
            with("Email", json!("kanand.temenos.com")),
            fabric(400, 10003, "Email: must be a valid email address"),
        ),
        (
            with("MobileCountryCode", json!("91")),
            fabric(
                400,
                10003,
                "MobileCountryCode: must be + followed by 1 to 3 digits",
            ),
        ),
        (
            with("MobileNumber", json!("99943-05648")),
            fabric(400, 10003, "MobileNumber: must be 4 to 14 digits"),
        ),
        (
            with("ApplicantType", json!("Boss")),
            fabric(
                400,
                10003,
                "ApplicantType: unknown variant `Boss`, expected `Applicant` or `CoApplicant`",
            ),
        ),
        (
            with("FirstName", json!(42)),
            fabric(
                400,
                10003,
                "FirstName: invalid type: integer `42`, expected a string",
            ),
        ),
        (
            json!([1, 2]),
            fabric(400, 10001, "body: must be a JSON object"),
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(
            user.call("PersonalInfo/createProspectProfile", &body).await,
            (StatusCode::BAD_REQUEST, expected),
            "{body}"
        );
    }
    let form = user
        .request("PersonalInfo/createProspectProfile")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("FirstName=Virat");
    assert_eq!(
        call(form).await,
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            fabric(415, 10004, "body: must be application/json")
        )
    );
    let (status, _) = user.call("UserAction/getUserActions", &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no application was created");
    let (_, parties) =
        call(app.internal(reqwest::Method::GET, "/party/v1/parties?lastName=Kohli")).await;
    assert_eq!(
        parties,
        json!({"items": [], "nextCursor": null}),
        "no party was created"
    );
}

async fn bad_action_requests_name_the_field(backend: Backend) {
    let app = spawn(backend).await;
    let user = User::new(&app, "validator");
    let (application, party) = user.application("Virat", "Kohli").await;
    let time = format!("TimeOnCurrentAddress_{party}_{application}");
    let cases = [
        ("UserAction/updateUserAction", json!({"Response": "", "Status": "Submitted"}), 400, fabric(400, 10002, "UserActionIdentifier: is required")),
        ("UserAction/updateUserAction", json!({"UserActionIdentifier": time, "Status": "Done"}), 400,
            fabric(400, 10003, "Status: unknown variant `Done`, expected one of `Created`, `Submitted`, `Skipped`, `Reviewed`, `Rejected`")),
        ("UserAction/updateUserAction", json!({"UserActionIdentifier": "Nope_1_ABCDEFG", "Status": "Submitted"}), 404,
            fabric(404, 10202, "UserActionIdentifier: no such user action of the caller")),
        ("UserAction/uploadDocument", json!({"Response": []}), 400, fabric(400, 10002, "UserActionIdentifier: is required")),
        ("UserAction/uploadDocument", upload(&time, &[("a.pdf", "application/pdf", &pdf_b64())]), 400,
            fabric(400, 10302, &format!("UserActionIdentifier: {time} is a Text action; only DocumentUpload actions take documents"))),
        ("UserAction/updateUserActionBulk", json!({"UserActions": []}), 400, fabric(400, 10003, "UserActions: must hold 1 to 100 updates")),
        ("UserAction/updateUserActionBulk", json!({"UserActions": [{"UserActionIdentifier": "", "Status": "Submitted"}]}), 400,
            fabric(400, 10002, "UserActions[0].UserActionIdentifier: is required")),
    ];
    for (operation, body, status, expected) in cases {
        let answer = user.call(operation, &body).await;
        assert_eq!(
            answer,
            (StatusCode::from_u16(status).expect("status"), expected),
            "{operation} {body}"
        );
    }
    let bad_form = user
        .request("UserAction/createPreRequirements")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("jsondata={oops");
    let (status, body) = call(bad_form).await;
    assert_eq!(
        (status, body["dbpErrCode"].clone()),
        (StatusCode::BAD_REQUEST, json!("10001"))
    );
    assert_eq!(
        body["dbpErrMsg"]
            .as_str()
            .map(|m| m.starts_with("jsondata: is not valid JSON")),
        Some(true),
        "{body}"
    );
}

/// Each file rule of document-service comes back with its own code, and
/// nothing of the upload is stored, even files that passed.
async fn file_rules_pass_through(backend: Backend) {
    let app = spawn(backend).await;
    let user = User::new(&app, "uploader");
    let (application, party) = user.application("Virat", "Kohli").await;
    let proof = format!("ProofOfIncomeEmployed_{party}_{application}");
    let good = pdf_b64();
    let characters = "cannot contain any of these characters: , * | : \" < > ? / \\ [ ] % = ;";
    let png = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR0000000000")
    };
    let cases = [
        (
            "a,b.pdf",
            "application/pdf",
            good.clone(),
            400,
            10401,
            format!("Response[1].fileName: {characters}"),
        ),
        (
            "a\u{2215}b.pdf",
            "application/pdf",
            good.clone(),
            400,
            10401,
            format!("Response[1].fileName: {characters}"),
        ),
        (
            "payslip\u{202E}fdp.exe",
            "application/pdf",
            good.clone(),
            400,
            10404,
            "Response[1].fileName: must be 1 to 255 characters without control, bidirectional or invisible characters"
                .to_owned(),
        ),
        (
            "payslip",
            "application/pdf",
            good.clone(),
            400,
            10402,
            "Response[1].fileName: must have an extension (for example .pdf, .jpg, .png)"
                .to_owned(),
        ),
        (
            " payslip.pdf",
            "application/pdf",
            good.clone(),
            400,
            10403,
            "Response[1].fileName: cannot begin with a space".to_owned(),
        ),
        (
            "big.pdf",
            "application/pdf",
            {
                use base64::Engine;
                let mut big = b"%PDF-1.4\n".to_vec();
                big.resize(2 * 1024 * 1024 + 1, b'x');
                base64::engine::general_purpose::STANDARD.encode(big)
            },
            413,
            10405,
            "Response[1].fileContents: must not exceed 2097152 bytes".to_owned(),
        ),
        (
            "empty.pdf",
            "application/pdf",
            String::new(),
            400,
            10406,
            "Response[1].fileContents: must not be empty".to_owned(),
        ),
        (
            "bad.pdf",
            "application/pdf",
            "!!notbase64!!".to_owned(),
            400,
            10407,
            "Response[1].fileContents: must be valid base64".to_owned(),
        ),
        (
            "notes.txt",
            "text/plain",
            good.clone(),
            400,
            10408,
            "Response[1].fileType: text/plain is not an allowed type".to_owned(),
        ),
        (
            "photo.pdf",
            "application/pdf",
            png,
            400,
            10409,
            "Response[1].fileType: is application/pdf but the content is image/png".to_owned(),
        ),
    ];
    for (name, kind, content, status, code, message) in cases {
        let body = upload(
            &proof,
            &[
                ("first.pdf", "application/pdf", &good),
                (name, kind, &content),
            ],
        );
        let answer = user.call("UserAction/uploadDocument", &body).await;
        assert_eq!(
            answer,
            (
                StatusCode::from_u16(status).expect("status"),
                fabric(status, code, &message)
            ),
            "{name}"
        );
        assert_eq!(
            stored_documents(&app, "uploader", &proof).await,
            0,
            "the first file of a refused upload is not kept ({name})"
        );
    }
    let (status, listing) = user
        .call(
            "UserAction/getDocument",
            &json!({"UserActionIdentifier": proof}),
        )
        .await;
    assert_eq!(
        (status, listing["Response"].clone()),
        (StatusCode::OK, json!([])),
        "nothing was attached"
    );
}

/// Issue 17, finding 8: a client that declares a body and sends one byte of
/// it is answered 408 in the Fabric envelope once the request-body deadline
/// passes, and its connection is closed; no application is created.
async fn a_body_sent_too_slowly_is_refused(backend: Backend) {
    let app = spawn_with(backend, &[("REQUEST_BODY_TIMEOUT_SECS", "1")]).await;
    let bearer = format!("Bearer {}", token("slow", &[]));
    let answer = app
        .send_slowly(
            &format!("{OPERATIONS}/PersonalInfo/createProspectProfile"),
            &[
                ("X-Kony-App-Key", APP_KEY),
                ("X-Kony-App-Secret", APP_SECRET),
                ("X-Kony-Authorization", &bearer),
                ("Content-Type", "application/json"),
            ],
            100,
            b"{",
            Duration::from_secs(15),
        )
        .await;
    answer.assert_timed_out(&fabric(408, 10006, "body: was not received within 1 s"));
    let slow = User::new(&app, "slow");
    let (status, listing) = slow.call("UserAction/getUserActions", &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no application: {listing}");
    // A body that comes whole in time is read as before.
    let (status, created) = slow
        .call(
            "PersonalInfo/createProspectProfile",
            &profile("Slow", "Poke"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
}

backend_tests!(
    a_body_sent_too_slowly_is_refused,
    bad_profiles_name_the_field,
    bad_action_requests_name_the_field,
    file_rules_pass_through
);
