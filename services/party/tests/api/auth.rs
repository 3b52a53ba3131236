//! Every party route needs the internal credential.

use crate::helpers::{create, spawn, virat};
use reqwest::{Method, StatusCode};
use serde_json::json;
use testkit::call;
use testkit::{backend_tests, Backend};

async fn every_route_refuses_a_missing_or_wrong_credential(backend: Backend) {
    let app = spawn(backend).await;
    let party = create(&app, &virat()).await;
    let id = party["id"].as_str().expect("id");
    let unauthorized = testkit::unauthorized_problem();
    let routes = [
        (Method::POST, "/party/v1/parties".to_owned()),
        (Method::GET, "/party/v1/parties".to_owned()),
        (Method::GET, format!("/party/v1/parties/{id}")),
        (Method::PATCH, format!("/party/v1/parties/{id}")),
    ];
    for (method, path) in routes {
        let missing = app
            .anonymous(method.clone(), &path)
            .json(&json!({"nationality": "GB"}));
        assert_eq!(
            call(missing).await,
            (StatusCode::UNAUTHORIZED, unauthorized.clone()),
            "{method} {path}"
        );
        let wrong = app
            .anonymous(method.clone(), &path)
            .header(
                "X-Service-Credential",
                "test-internal-credential-0123456788",
            )
            .json(&json!({"nationality": "GB"}));
        assert_eq!(
            call(wrong).await,
            (StatusCode::UNAUTHORIZED, unauthorized.clone()),
            "{method} {path}"
        );
    }
    let (_, after) = call(app.internal(Method::GET, &format!("/party/v1/parties/{id}"))).await;
    assert_eq!(after, party, "nothing changed");
}

backend_tests!(every_route_refuses_a_missing_or_wrong_credential);
