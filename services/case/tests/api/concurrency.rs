//! Adding the same customer to the same case many times at once leaves
//! exactly one, and exactly one audit record of it.

use crate::helpers::{
    added, all_added, all_failed, case_customers, create_cases, customer, failed, post, reader,
    spawn, stored, writer,
};
use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::json;
use testkit::{backend_tests, Backend};

const ATTEMPTS: usize = 12;

async fn concurrent_adds_of_one_customer_leave_exactly_one(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA300"]).await;
    let token = writer(&app);
    let request = json!([{"caseId": "CA300", "customers": [customer("CUST-RACE")]}]);
    let answers =
        join_all((0..ATTEMPTS).map(|_| post(&app, &token, "addCustomer", &request))).await;

    let won = all_added("CA300", vec![added("CUST-RACE")]);
    let lost = all_failed(
        StatusCode::BAD_REQUEST,
        "CA300",
        vec![failed("CUST-RACE", "Customer already exists.")],
    );
    let winners = answers.iter().filter(|a| **a == won).count();
    let losers = answers.iter().filter(|a| **a == lost).count();
    assert_eq!((winners, losers), (1, ATTEMPTS - 1), "{answers:#?}");

    assert_eq!(
        case_customers(&app, "CA300").await,
        vec![stored(&customer("CUST-RACE"))]
    );
    let (_, trail) = post(
        &app,
        &reader(&app),
        "getCaseAudit",
        &json!({"caseId": "CA300"}),
    )
    .await;
    let additions = trail["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["action"] == "customerAdded")
        .count();
    assert_eq!(additions, 1, "{trail}");
}

backend_tests!(concurrent_adds_of_one_customer_leave_exactly_one);
