//! A database connection lost in the middle of a request is the database
//! being unavailable: a 503 in the Fabric envelope, worth a retry, and the
//! action unchanged. PostgreSQL only: an SQLite connection cannot be lost.

use crate::helpers::{fabric, spawn, User};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{faults, Backend};

#[tokio::test]
async fn a_connection_lost_while_updating_an_action_is_a_503_and_a_retry_updates() {
    if !Backend::postgres_available() {
        return;
    }
    let app = spawn(Backend::Postgres).await;
    let user = User::new(&app, "applicant");
    let (application, party) = user.application("Virat", "Kohli").await;
    let identifier = format!("TimeOnCurrentAddress_{party}_{application}");
    let update =
        json!({"UserActionIdentifier": identifier, "Response": "2015-06", "Status": "Submitted"});
    let before = user.actions().await;

    let url = &app.vars["USER_ACTION_DATABASE_URL"];
    faults::lose_connection_on(url, "user_actions", "UPDATE");
    assert_eq!(
        user.call("UserAction/updateUserAction", &update).await,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            fabric(503, 10501, "the database is unavailable; try again later")
        )
    );
    assert_eq!(user.actions().await, before);
    assert_eq!(status_of(&before, &identifier), "Created");

    faults::keep_connection_on(url, "user_actions", "UPDATE");
    let (status, answer) = user.call("UserAction/updateUserAction", &update).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(status_of(&user.actions().await, &identifier), "Submitted");
}

/// The listed status of the action `identifier`, whatever its group.
fn status_of(listing: &Value, identifier: &str) -> String {
    let groups = listing.as_object().expect("groups by action group");
    let action = groups
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .find(|action| action["UserActionIdentifier"] == identifier)
        .expect("listed");
    action["UserActionStatus"]
        .as_str()
        .expect("a status")
        .to_owned()
}

/// On PostgreSQL the revisions of the listings waiting are read in one
/// statement (`service_kit::db::Batched`): a connection lost during it
/// is a 503 for every one of them, and the listings after it are served.
#[tokio::test]
async fn a_connection_lost_while_listing_is_a_503_for_every_caller_waiting() {
    if !Backend::postgres_available() {
        return;
    }
    let app = spawn(Backend::Postgres).await;
    let names = ["Anil", "Bina", "Chetan"];
    let users: Vec<User> = names.iter().map(|n| User::new(&app, n)).collect();
    let mut before = Vec::new();
    for (user, name) in users.iter().zip(names) {
        user.application(name, "Waiting").await;
        before.push(user.actions().await);
    }

    let url = &app.vars["USER_ACTION_DATABASE_URL"];
    faults::lose_connection_on(url, "applications", "SELECT");
    let all = json!({});
    let answers = futures_util::future::join_all(
        users
            .iter()
            .chain(&users)
            .map(|user| user.call("UserAction/getUserActions", &all)),
    )
    .await;
    let unavailable = (
        StatusCode::SERVICE_UNAVAILABLE,
        fabric(503, 10501, "the database is unavailable; try again later"),
    );
    assert_eq!(answers, vec![unavailable; 2 * users.len()]);

    faults::keep_connection_on(url, "applications", "SELECT");
    for (user, before) in users.iter().zip(before) {
        assert_eq!(user.actions().await, before);
    }
}
