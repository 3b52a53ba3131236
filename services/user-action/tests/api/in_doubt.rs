//! A commit in doubt that did happen is a success (issue 17, finding 12):
//! user-action's database commits, and the answer is lost with the
//! connection (a proxy cuts it right after the server says COMMIT). The
//! request answers success, its Idempotency-Key keeps that answer, and
//! nothing is made twice. PostgreSQL only: an SQLite commit's outcome is
//! never in doubt (the database is a file in the same process).

use crate::helpers::{pdf_b64, profile, spawn_with, stored_documents, upload, User};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::proxy::CommitProxy;
use testkit::{call, Backend, TestApp};

/// party, document and user-action, user-action's database behind a proxy.
async fn behind_proxy() -> Option<(CommitProxy, TestApp)> {
    if !Backend::postgres_available() {
        return None;
    }
    let proxy = CommitProxy::start().await;
    let app = spawn_with(
        Backend::Postgres,
        &[("USER_ACTION_DATABASE_URL", proxy.url())],
    )
    .await;
    Some((proxy, app))
}

/// party, document and user-action, party-service's database behind a
/// proxy.
async fn party_behind_proxy() -> Option<(CommitProxy, TestApp)> {
    if !Backend::postgres_available() {
        return None;
    }
    let proxy = CommitProxy::start().await;
    let app = spawn_with(Backend::Postgres, &[("PARTY_DATABASE_URL", proxy.url())]).await;
    Some((proxy, app))
}

/// How many audit events of `kind` the user's application has.
async fn events(user: &User<'_>, kind: &str) -> usize {
    let (_, audit) = user.call("Audit/getAuditEvents", &json!({})).await;
    audit["AuditEvents"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == kind)
        .count()
}

/// Sends `body` to `operation` with an Idempotency-Key, losing the answer
/// to its commit, and again: both answers must be the same success, which
/// is returned.
async fn twice_with_a_lost_commit(
    proxy: &CommitProxy,
    user: &User<'_>,
    operation: &str,
    body: &Value,
) -> Value {
    let send = || {
        call(
            user.request(operation)
                .header("Idempotency-Key", "in-doubt")
                .json(body),
        )
    };
    proxy.lose_next_commit();
    let (status, first) = send().await;
    assert_eq!(proxy.lost(), 1, "the commit's answer was lost");
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(
        send().await,
        (StatusCode::OK, first.clone()),
        "the key kept it"
    );
    first
}

/// The parties with `last_name`.
async fn parties(app: &TestApp, last_name: &str) -> Vec<Value> {
    let path = format!("/party/v1/parties?lastName={last_name}");
    let (_, page) = call(app.internal(reqwest::Method::GET, &path)).await;
    page["items"].as_array().expect("items").clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_whose_commit_answer_is_lost_succeeds_and_keeps_its_key() {
    let Some((proxy, app)) = behind_proxy().await else {
        return;
    };
    let user = User::new(&app, "doubter");
    let body = profile("Doubting", "Thomas");
    let first =
        twice_with_a_lost_commit(&proxy, &user, "PersonalInfo/createProspectProfile", &body).await;
    assert_eq!(
        first,
        json!({"Application_id": first["Application_id"], "Party_Id": first["Party_Id"],
               "opstatus": 0, "httpStatusCode": 200})
    );
    let made = parties(&app, "Thomas").await;
    assert_eq!(made.len(), 1, "one party: {made:?}");
    assert_eq!(made[0]["id"], first["Party_Id"]);
    assert_eq!(events(&user, "application-created").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_co_applicant_whose_commit_answer_is_lost_is_added() {
    let Some((proxy, app)) = behind_proxy().await else {
        return;
    };
    let user = User::new(&app, "doubter");
    user.application("Main", "Applicant").await;
    let mut body = profile("Co", "Doubter");
    body["ApplicantType"] = json!("CoApplicant");
    let first =
        twice_with_a_lost_commit(&proxy, &user, "PersonalInfo/updateProspectProfile", &body).await;
    assert_eq!(
        first,
        json!({"EntityId": first["EntityId"], "Party_Id": first["Party_Id"],
               "opstatus": 0, "httpStatusCode": 200})
    );
    let made = parties(&app, "Doubter").await;
    assert_eq!(made.len(), 1, "one party: {made:?}");
    assert_eq!(made[0]["id"], first["Party_Id"]);
    assert_eq!(events(&user, "applicant-added").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_whose_commit_answer_is_lost_is_attached() {
    let Some((proxy, app)) = behind_proxy().await else {
        return;
    };
    let user = User::new(&app, "doubter");
    let (application, main) = user.application("Virat", "Kohli").await;
    let proof = format!("ProofOfIncomeEmployed_{main}_{application}");
    let pdf = pdf_b64();
    proxy.lose_next_commit();
    let (status, answer) = user
        .call(
            "UserAction/uploadDocument",
            &upload(&proof, &[("a.pdf", "application/pdf", &pdf)]),
        )
        .await;
    assert_eq!(proxy.lost(), 1, "the commit's answer was lost");
    assert_eq!(status, StatusCode::OK, "{answer}");
    let id = answer["Response"][0]["documentId"].clone();
    assert_eq!(
        answer,
        json!({"Response": [{"fileName": "a.pdf", "fileClientId": 0, "fileInfo": "",
                             "documentId": id, "fileType": "application/pdf"}],
               "opstatus": 0, "httpStatusCode": 200})
    );
    assert_eq!(stored_documents(&app, "doubter", &proof).await, 1, "kept");
    let (status, read) = user
        .call(
            "UserAction/getDocument",
            &json!({"UserActionIdentifier": proof}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["Response"][0]["documentId"], id, "attached: {read}");
}

/// party-service commits a party and loses the answer: user-action cannot
/// know whether the party exists, and deletes it under the id it chose
/// (`X-Party-Id`), so that no party is left without an application; a
/// retry with the same key makes one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_party_whose_create_answer_is_lost_is_not_left_behind() {
    let Some((proxy, app)) = party_behind_proxy().await else {
        return;
    };
    let user = User::new(&app, "doubter");
    let send = || {
        call(
            user.request("PersonalInfo/createProspectProfile")
                .header("Idempotency-Key", "lost-party")
                .json(&profile("Lost", "Answer")),
        )
    };
    proxy.lose_next_commit();
    let (status, failed) = send().await;
    assert_eq!(proxy.lost(), 1, "the party's commit answer was lost");
    assert_eq!(
        (status, failed),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"dbpErrCode": "10501", "dbpErrMsg": "party-service is unavailable; try again later",
                   "httpStatusCode": 503, "opstatus": 10501})
        )
    );
    assert_eq!(
        parties(&app, "Answer").await,
        Vec::<Value>::new(),
        "deleted"
    );
    let (status, created) = send().await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let made = parties(&app, "Answer").await;
    assert_eq!(made.len(), 1, "one party: {made:?}");
    assert_eq!(made[0]["id"], created["Party_Id"]);
}
