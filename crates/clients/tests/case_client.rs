//! The case client against the real case-service (and party-service, which
//! it reads the applicants from): the application flow's events.

use clients::{CallError, CaseClient};
use domain::flow::{ApplicationEvent, ApplicationEventApplied};
use serde_json::json;
use testkit::{backend_tests, Backend, TestApp};

async fn spawn(backend: Backend) -> (TestApp, CaseClient) {
    let vars = [
        ("DEV_MODE", "true"),
        (
            "JWT_HS256_SECRET",
            "case-client-tests-secret-0123456789abcdef",
        ),
    ];
    let app = TestApp::spawn(backend, &["party", "case"], &vars, &|ctx, vars| {
        Ok(vec![
            party::service(ctx, Some(vars))?,
            case::service(ctx, Some(vars))?,
        ])
    })
    .await;
    let config = service_kit::ServerConfig::load(Some(&app.vars)).expect("config");
    let ctx = service_kit::server::Context::new(config, 0, true).expect("context");
    let client = CaseClient::new(&ctx, Some(&app.url));
    (app, client)
}

fn submitted(id: &str, applicant: &str) -> ApplicationEvent {
    serde_json::from_value(json!({
        "id": id, "occurredAt": "2026-12-07T10:00:00Z", "kind": "application.submitted",
        "data": {"applicants": [applicant], "documents": [], "needsReview": []}
    }))
    .expect("an event")
}

#[derive(diesel::QueryableByName)]
struct Line {
    #[diesel(sql_type = diesel::sql_types::Text)]
    line: String,
}

/// A submission opens the case, once; the request id sent is the one the
/// case's opening is recorded under; an unknown applicant is a 422.
async fn delivers_application_events(backend: Backend) {
    let (app, client) = spawn(backend).await;
    let created = app
        .internal(reqwest::Method::POST, "/party/v1/parties")
        .json(&json!({"kind": "person", "firstName": "Asha", "lastName": "Verma"}))
        .send()
        .await
        .expect("sent");
    let party: serde_json::Value = created.json().await.expect("a party");
    let party = party["id"].as_str().expect("an id");
    let opened = ApplicationEventApplied {
        case_id: Some("CA1".to_owned()),
    };
    for _ in 0..2 {
        let event = submitted("evt-1", party);
        let sent = client.application_event("app-1", &event);
        let applied = service_kit::observe::with_request_id("req-client-1".to_owned(), sent)
            .await
            .expect("applied");
        assert_eq!(applied, opened);
    }
    use diesel::RunQueryDsl;
    let mut conn = testkit::faults::connect(backend, &app.vars["CASE_DATABASE_URL"]);
    let lines: Vec<Line> =
        diesel::sql_query("SELECT kind || ' ' || request_id AS line FROM outbox ORDER BY seq")
            .load(&mut conn)
            .expect("the outbox");
    let lines: Vec<String> = lines.into_iter().map(|l| l.line).collect();
    assert_eq!(lines, vec!["case.opened req-client-1".to_owned()]);

    match client
        .application_event("app-2", &submitted("evt-2", "9999999999"))
        .await
    {
        Err(CallError::Status { status, body, .. }) => {
            assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(body["errors"][0]["field"], json!("data.applicants"));
        }
        other => panic!("a 422, not {other:?}"),
    }
}

backend_tests!(delivers_application_events);
