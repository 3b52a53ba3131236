//! The bank's side of the flow in tests: an app with a catalog of two
//! pre-requirements, applications answered and submitted through the CAM
//! API, and case-service's decisions sent over the internal API.

use crate::helpers::{pdf_b64, spawn_with, upload, User};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use service_kit::{DbConnection, Keyring};
use testkit::{Backend, TestApp};

pub const CASE: &str = "CA0000000001";

/// A catalog of two pre-requirements: `Passport`, a document the bank must
/// review, and `SourceOfFunds`, a text it need not.
pub fn catalog(dir: &tempfile::TempDir) -> String {
    let path = dir.path().join("catalog.json");
    std::fs::write(
        &path,
        json!({"actions": [
            {"UserActionName": "Passport", "AppliesTo": ["Applicant"],
             "ActionMetaData": {"Group": "Identity", "Title": "Passport", "ActionLevel": "Application",
                                "UserActionType": "DocumentUpload", "Skippable": "false", "NeedsReview": "true",
                                "isPreRequirement": "true"}},
            {"UserActionName": "SourceOfFunds", "AppliesTo": ["Applicant"],
             "ActionMetaData": {"Group": "Income", "Title": "Source of funds", "ActionLevel": "Application",
                                "UserActionType": "Text", "Skippable": "false", "NeedsReview": "false",
                                "isPreRequirement": "true"}}
        ]})
        .to_string(),
    )
    .expect("catalog written");
    path.to_str().expect("path").to_owned()
}

/// The app, its catalog's directory kept alive beside it.
pub struct Flow {
    pub app: TestApp,
    _dir: tempfile::TempDir,
    pub catalog: String,
}

pub async fn flow(backend: Backend) -> Flow {
    let dir = tempfile::tempdir().expect("tempdir");
    let catalog = catalog(&dir);
    let app = spawn_with(backend, &[("USER_ACTION_CATALOG_FILE", &catalog)]).await;
    Flow {
        app,
        _dir: dir,
        catalog,
    }
}

/// An application of `user`'s with its passport uploaded (document id) and
/// both actions submitted: (application, passport identifier, document).
pub async fn answered(user: &User<'_>) -> (String, String, String) {
    let (application, party) = user.application("Virat", "Kohli").await;
    let passport = format!("Passport_{party}_{application}");
    let document = upload_passport(user, &passport, "passport.pdf").await;
    for (action, response) in [
        (passport.clone(), ""),
        (format!("SourceOfFunds_{party}_{application}"), "salary"),
    ] {
        let (status, body) = user
            .call(
                "UserAction/updateUserAction",
                &json!({"UserActionIdentifier": action, "Response": response, "Status": "Submitted"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    (application, passport, document)
}

/// The same, submitted.
pub async fn submitted(user: &User<'_>) -> (String, String, String) {
    let answered = answered(user).await;
    let (status, body) = user
        .call("UserAction/signalProcess", &json!({"Signal": "Submit"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    answered
}

/// Uploads one file to the passport action: its document id.
pub async fn upload_passport(user: &User<'_>, passport: &str, name: &str) -> String {
    let (status, body) = user
        .call(
            "UserAction/uploadDocument",
            &upload(passport, &[(name, "application/pdf", &pdf_b64())]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["Response"][0]["documentId"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// A decision of `kind` with `data`, by `analyst-1`.
pub fn decision(id: &str, kind: &str, data: Value) -> Value {
    json!({"id": id, "occurredAt": "2026-12-07T10:00:00Z", "actor": "analyst-1", "caseId": CASE,
           "kind": kind, "data": data})
}

pub fn rejected(id: &str, document: &str, comments: &str) -> Value {
    decision(
        id,
        "evidence.rejected",
        json!({"documentId": document, "comments": comments}),
    )
}

pub fn status_changed(id: &str, old: &str, new: &str) -> Value {
    decision(
        id,
        "case.status_changed",
        json!({"oldStatus": old, "newStatus": new}),
    )
}

/// Posts `body` to the decisions of `application` with the internal
/// credential.
pub async fn decide(app: &TestApp, application: &str, body: &Value) -> (StatusCode, Value) {
    testkit::call(
        app.internal(
            Method::POST,
            &format!("/user-action/v1/applications/{application}/decisions"),
        )
        .json(body),
    )
    .await
}

pub fn applied(id: &str, outcome: &str) -> (StatusCode, Value) {
    (StatusCode::OK, json!({"id": id, "outcome": outcome}))
}

/// Runs `work` on user-action's database, with the app's keyring.
pub fn in_db<T>(
    app: &TestApp,
    work: impl FnOnce(&mut DbConnection, &Keyring) -> diesel::QueryResult<T>,
) -> T {
    let config = service_kit::ServerConfig::load(Some(&app.vars)).expect("config");
    let ctx = service_kit::server::Context::new(config, 0, true).expect("context");
    let db = user_action::config::DATABASE
        .open(&ctx.config, Some(&app.vars))
        .expect("database");
    db.run_now(|conn| Ok(work(conn, &ctx.keyring)?))
        .expect("unit of work")
}

/// A client of the app's user-action, as a peer builds it.
pub fn client_of(app: &TestApp) -> clients::UserActionClient {
    let config = service_kit::ServerConfig::load(Some(&app.vars)).expect("config");
    let port: u16 = app
        .url
        .rsplit(':')
        .next()
        .expect("port")
        .parse()
        .expect("port");
    let ctx = service_kit::server::Context::new(config, port, true).expect("context");
    clients::UserActionClient::new(&ctx, None)
}
