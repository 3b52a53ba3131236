//! The party client against the real party-service.

use clients::{CallError, PartyClient};
use domain::party::PartyInput;
use domain::PartyId;
use serde_json::json;
use testkit::{backend_tests, Backend, TestApp};

async fn spawn(backend: Backend) -> (TestApp, PartyClient) {
    let app = TestApp::spawn(backend, &["party"], &[], &|ctx, vars| {
        Ok(vec![party::service(ctx, Some(vars))?])
    })
    .await;
    let config = service_kit::ServerConfig::load(Some(&app.vars)).expect("config");
    let ctx = service_kit::server::Context::new(config, 0, true).expect("context");
    let client = PartyClient::new(&ctx, Some(&app.url));
    (app, client)
}

async fn creates_reads_and_updates(backend: Backend) {
    let (_app, client) = spawn(backend).await;
    let input: PartyInput = serde_json::from_value(
        json!({"kind": "person", "firstName": "Rohit", "lastName": "Sharma"}),
    )
    .expect("input");
    let id = PartyId::random();
    let created = client.create(&id, &input).await.expect("created");
    assert_eq!((&created.id, &created.input), (&id, &input));
    assert_eq!(
        client.get(created.id.as_str()).await.expect("read"),
        Some(created.clone())
    );
    let updated = client
        .update(created.id.as_str(), &json!({"nationality": "IN"}))
        .await
        .expect("updated");
    assert_eq!(
        updated.input.nationality.map(|c| c.as_str().to_owned()),
        Some("IN".to_owned())
    );
    assert_eq!(client.get("1234567890").await.expect("answered"), None);
}

async fn refusals_come_back_as_status_errors(backend: Backend) {
    let (_app, client) = spawn(backend).await;
    let created = client
        .create(
            &PartyId::random(),
            &serde_json::from_value(json!({"kind": "person", "firstName": "A", "lastName": "B"}))
                .expect("input"),
        )
        .await
        .expect("created");
    match client
        .update(created.id.as_str(), &json!({"dateOfBirth": "1990-02-30"}))
        .await
    {
        Err(CallError::Status { status, body, .. }) => {
            assert_eq!(status, reqwest::StatusCode::BAD_REQUEST);
            assert_eq!(
                body["errors"],
                json!([{"field": "dateOfBirth", "message": "1990-02-30 is not a real date"}])
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_unreachable_party_service_is_unavailable() {
    // Its own data directory: a standalone context generates keys there.
    let data_dir = tempfile::tempdir().expect("a temporary data directory");
    let config = service_kit::ServerConfig::load(Some(
        &[
            (
                "INTERNAL_CREDENTIAL".to_owned(),
                testkit::TEST_CREDENTIAL.to_owned(),
            ),
            ("DATA_DIR".to_owned(), data_dir.path().display().to_string()),
        ]
        .into_iter()
        .collect(),
    ))
    .expect("config");
    let ctx = service_kit::server::Context::new(config, 0, true).expect("context");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let client = PartyClient::new(&ctx, Some(&format!("http://127.0.0.1:{port}")));
    assert!(matches!(
        client.get("1234567890").await,
        Err(CallError::Unavailable {
            service: "party-service",
            ..
        })
    ));
}

backend_tests!(
    creates_reads_and_updates,
    refusals_come_back_as_status_errors
);
