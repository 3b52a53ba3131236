//! Creates arriving together: user-action records the intents waiting in
//! one statement and writes the applications waiting in one transaction,
//! as party-service does the parties (`service_kit::db::Batched`). Each
//! request is still answered as if it were alone, and nothing is left
//! half-written when a batch fails.

use crate::helpers::{database_lines, fabric, profile, spawn, User};
use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use testkit::{backend_tests, call, faults, Backend, TestApp};

const NAMES: [&str; 8] = [
    "Asha", "Bhanu", "Charu", "Dinesh", "Ela", "Faiz", "Gauri", "Hemant",
];

/// The parties with the last name `last`, from party-service.
async fn parties(app: &TestApp, last: &str) -> Vec<Value> {
    let (status, page) = call(app.internal(
        Method::GET,
        &format!("/party/v1/parties?lastName={last}&limit=100"),
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().expect("items").clone()
}

/// How many rows `table` of user-action's database holds.
fn rows(app: &TestApp, backend: Backend, table: &str) -> String {
    database_lines(
        app,
        backend,
        &format!("SELECT CAST(COUNT(*) AS TEXT) AS line FROM {table}"),
    )
    .remove(0)
}

async fn profiles_created_at_once_are_each_whole(backend: Backend) {
    let app = spawn(backend).await;
    let users: Vec<User> = NAMES.iter().map(|n| User::new(&app, n)).collect();
    // Each caller twice at once: two applications each.
    let answers = join_all(
        users
            .iter()
            .chain(&users)
            .zip(NAMES.iter().chain(&NAMES))
            .map(|(user, name)| async move {
                let body = profile(name, "Together");
                user.call("PersonalInfo/createProspectProfile", &body).await
            }),
    )
    .await;
    let mut applications = Vec::new();
    for (answer, name) in answers.iter().zip(NAMES.iter().chain(&NAMES)) {
        let (status, created) = answer;
        assert_eq!(*status, StatusCode::OK, "{created}");
        let party = created["Party_Id"].as_str().expect("party");
        let (status, stored) =
            call(app.internal(Method::GET, &format!("/party/v1/parties/{party}"))).await;
        assert_eq!(status, StatusCode::OK, "{stored}");
        assert_eq!(stored["firstName"], *name);
        applications.push(created["Application_id"].as_str().expect("id").to_owned());
    }
    for (user, application) in users.iter().chain(&users).zip(&applications) {
        let (status, audit) = user
            .call(
                "Audit/getAuditEvents",
                &json!({"Application_id": application}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{audit}");
        assert!(audit.to_string().contains("application-created"), "{audit}");
    }
    applications.sort();
    applications.dedup();
    assert_eq!(applications.len(), 2 * NAMES.len(), "an application each");
    assert_eq!(parties(&app, "Together").await.len(), 2 * NAMES.len());
    assert_eq!(rows(&app, backend, "applications"), "16");
    assert_eq!(rows(&app, backend, "intents"), "0", "every intent taken");
}

backend_tests!(profiles_created_at_once_are_each_whole);

/// A connection lost while the applications waiting are written fails
/// every one of them with a 503, and none is left half-made: no
/// application, and each request deletes the party it made.
#[tokio::test]
async fn a_connection_lost_while_creating_together_leaves_nothing() {
    if !Backend::postgres_available() {
        return;
    }
    let app = spawn(Backend::Postgres).await;
    let users: Vec<User> = NAMES.iter().map(|n| User::new(&app, n)).collect();
    let url = &app.vars["USER_ACTION_DATABASE_URL"];
    faults::lose_connection_on(url, "applications", "INSERT");
    let answers = join_all(users.iter().zip(NAMES).map(|(user, name)| async move {
        let body = profile(name, "Lost");
        user.call("PersonalInfo/createProspectProfile", &body).await
    }))
    .await;
    let unavailable = (
        StatusCode::SERVICE_UNAVAILABLE,
        fabric(503, 10501, "the database is unavailable; try again later"),
    );
    assert_eq!(answers, vec![unavailable; NAMES.len()]);
    faults::keep_connection_on(url, "applications", "INSERT");
    assert_eq!(parties(&app, "Lost").await, Vec::<Value>::new(), "deleted");
    assert_eq!(rows(&app, Backend::Postgres, "applications"), "0");
}
