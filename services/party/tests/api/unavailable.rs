//! A database connection lost in the middle of a request is the database
//! being unavailable: a 503 problem worth a retry, not a 500, and nothing
//! half-written. PostgreSQL only: an SQLite connection cannot be lost.

use crate::helpers::{create, minimal, spawn};
use reqwest::{Method, StatusCode};
use serde_json::json;
use testkit::{call, faults, Backend};

#[tokio::test]
async fn a_connection_lost_while_creating_is_a_503_and_a_retry_creates() {
    if !Backend::postgres_available() {
        return;
    }
    let app = spawn(Backend::Postgres).await;
    let url = &app.vars["PARTY_DATABASE_URL"];
    faults::lose_connection_on(url, "parties", "INSERT");
    let input = minimal("Rohit", "Sharma");
    assert_eq!(
        call(app.internal(Method::POST, "/party/v1/parties").json(&input)).await,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"type": "urn:onboarding:problem:unavailable", "title": "Service unavailable",
                   "status": 503, "detail": "a dependency is unavailable; try again later"})
        )
    );

    faults::keep_connection_on(url, "parties", "INSERT");
    let list =
        |app: &testkit::TestApp| app.internal(Method::GET, "/party/v1/parties?lastName=sharma");
    let page = |items: Vec<serde_json::Value>| json!({"items": items, "nextCursor": null});
    assert_eq!(call(list(&app)).await, (StatusCode::OK, page(vec![])));
    let created = create(&app, &input).await;
    assert_eq!(
        call(list(&app)).await,
        (StatusCode::OK, page(vec![created]))
    );
}

/// Creates arriving together are written in one transaction: a connection
/// lost during it is a 503 for every one of them, and none is half-written.
#[tokio::test]
async fn a_connection_lost_while_creating_together_is_a_503_for_each() {
    if !Backend::postgres_available() {
        return;
    }
    let app = spawn(Backend::Postgres).await;
    let url = &app.vars["PARTY_DATABASE_URL"];
    faults::lose_connection_on(url, "parties", "INSERT");
    let inputs: Vec<_> = (0..8)
        .map(|i| minimal("Together", &format!("Lost{i}")))
        .collect();
    let answers = futures_util::future::join_all(
        inputs
            .iter()
            .map(|input| call(app.internal(Method::POST, "/party/v1/parties").json(input))),
    )
    .await;
    let unavailable = (
        StatusCode::SERVICE_UNAVAILABLE,
        json!({"type": "urn:onboarding:problem:unavailable", "title": "Service unavailable",
               "status": 503, "detail": "a dependency is unavailable; try again later"}),
    );
    assert_eq!(answers, vec![unavailable; inputs.len()]);

    faults::keep_connection_on(url, "parties", "INSERT");
    let listed = call(app.internal(Method::GET, "/party/v1/parties?limit=100")).await;
    assert_eq!(
        listed,
        (StatusCode::OK, json!({"items": [], "nextCursor": null}))
    );
}

/// The service's connections ended behind its back (the server restarted,
/// a proxy timed them out): a connection idle past the pool's trust window
/// is tested as it is checked out and replaced, so no request fails.
#[tokio::test]
async fn connections_ended_while_idle_are_replaced_unseen() {
    if !Backend::postgres_available() {
        return;
    }
    let app = spawn(Backend::Postgres).await;
    let url = &app.vars["PARTY_DATABASE_URL"];
    let created = create(&app, &minimal("Idle", "Connection")).await;
    let id = created["id"].as_str().expect("id");
    let mut admin = faults::connect(Backend::Postgres, url);
    let ended = diesel::connection::SimpleConnection::batch_execute(
        &mut admin,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    ended.expect("ended the service's connections");
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    for _ in 0..20 {
        assert_eq!(
            call(app.internal(Method::GET, &format!("/party/v1/parties/{id}"))).await,
            (StatusCode::OK, created.clone())
        );
    }
}

/// The database over TLS only (`sslmode=require`), as a bank's PostgreSQL
/// is reached: the libpq and OpenSSL compiled into the binary make the
/// connection, and the service works on it.
#[tokio::test]
async fn a_database_reached_over_tls_only() {
    if !Backend::postgres_available() {
        return;
    }
    let admin = testkit::postgres::server_url().expect("a server");
    if !testkit::postgres::tls_available() {
        eprintln!("skipping: the test server takes no TLS (no openssl to make its certificate)");
        return;
    }
    let url = format!(
        "{}?sslmode=require",
        testkit::postgres::create_database(admin)
    );
    let mut check = faults::connect(Backend::Postgres, &url);
    #[derive(diesel::QueryableByName)]
    struct Tls {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        ssl: bool,
    }
    let tls: Tls = diesel::RunQueryDsl::get_result(
        diesel::sql_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"),
        &mut check,
    )
    .expect("asked");
    assert!(tls.ssl, "the connection is encrypted");

    let app = crate::helpers::spawn_with(Backend::Postgres, &[("PARTY_DATABASE_URL", &url)]).await;
    create(&app, &minimal("Shubman", "Gill")).await;
}
