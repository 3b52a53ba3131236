//! `/health/live` and `/health/ready`.

use crate::db::Database;
use actix_web::{web, HttpResponse};
use serde_json::json;
use std::collections::BTreeMap;

/// The databases readiness checks, by service name.
#[derive(Clone, Default)]
pub(crate) struct ReadinessChecks(pub Vec<(&'static str, Database)>);

/// `GET /health/live`: the process is up and serving.
pub(crate) async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "live"}))
}

/// `GET /health/ready`: every service's database answers. 503 names the
/// service whose database does not.
pub(crate) async fn ready(checks: web::Data<ReadinessChecks>) -> HttpResponse {
    let mut results = BTreeMap::new();
    for (service, db) in &checks.0 {
        let up = db.ping().await.is_ok();
        results.insert(*service, if up { "up" } else { "down" });
    }
    let all_up = results.values().all(|s| *s == "up");
    let body = json!({"status": if all_up { "ready" } else { "unavailable" }, "checks": results});
    if all_up {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
