//! Bulk adds: each group of customers is written all at once; a group in
//! which a statement fails (here, the same customer twice in one request)
//! is rolled back and added one customer at a time, with the same answer
//! and the same rows as if every customer had been added on its own.

use crate::helpers::{
    added, all_pages, case_customers, create_cases, customer, failed, post, seed_customer, spawn,
    stored, writer, LISTS,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{backend_tests, Backend};

/// The customer ids of the `customerAdded` events of `case_id`, oldest first.
async fn added_events(app: &testkit::TestApp, case_id: &str) -> Vec<String> {
    all_pages(app, "getCaseAudit", json!({"caseId": case_id}), "events")
        .await
        .iter()
        .filter(|e| e["action"] == "customerAdded")
        .map(|e| e["customerId"].as_str().expect("a customer id").to_owned())
        .collect()
}

/// The answer to an `addCustomer` of one case whose customers got `lines`.
fn one_case_answer(case_id: &str, lines: Vec<Value>) -> (StatusCode, Value) {
    let all_added = lines.iter().all(|l| l["STATUS"] == "SUCCESS");
    let (status, message) = if all_added {
        ("SUCCESS", "Customers addition was successful.")
    } else {
        (
            "PARTIALSUCCESS",
            "Customers addition was partially successful.",
        )
    };
    (
        StatusCode::OK,
        json!({
            "MESSAGE": message, "STATUS": status,
            "RESULTARRAY": [{"MESSAGE": message, "STATUS": status, "caseId": case_id,
                             "customers": lines}]
        }),
    )
}

async fn a_customer_twice_in_a_group_fails_alone(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA500"]).await;
    let token = writer(&app);
    let mut again = customer("CUST-A");
    again["firstName"] = json!("Second");
    let request = json!([{"caseId": "CA500", "customers": [
        customer("CUST-A"), customer("CUST-B"), again, customer("CUST-C")
    ]}]);
    assert_eq!(
        post(&app, &token, "addCustomer", &request).await,
        one_case_answer(
            "CA500",
            vec![
                added("CUST-A"),
                added("CUST-B"),
                failed("CUST-A", "Customer already exists."),
                added("CUST-C"),
            ]
        )
    );
    assert_eq!(
        case_customers(&app, "CA500").await,
        vec![
            stored(&customer("CUST-A")),
            stored(&customer("CUST-B")),
            stored(&customer("CUST-C"))
        ],
        "the first of the two is the one kept"
    );
    assert_eq!(
        added_events(&app, "CA500").await,
        ["CUST-A", "CUST-B", "CUST-C"]
    );
}

async fn a_large_batch_is_stored_whole_across_groups(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA510"]).await;
    let token = writer(&app);
    // 150 full customers: a group of 100, then one of 50. One of them has 25
    // entries in each list; the one at 120 repeats the one at 5, so the
    // second group fails as a whole and is added one customer at a time.
    let mut sent: Vec<Value> = (0..150)
        .map(|n| {
            let mut c = seed_customer();
            c["customerId"] = json!(format!("CUST-{n:03}"));
            c["firstName"] = json!(format!("First {n}"));
            c
        })
        .collect();
    for &list in LISTS {
        let entry = sent[7][list][0].clone();
        sent[7][list] = Value::Array(vec![entry; 25]);
    }
    for (i, address) in sent[7]["addresses"]
        .as_array_mut()
        .expect("addresses")
        .iter_mut()
        .enumerate()
    {
        address["addressLine1"] = json!(format!("{i} Wall Street"));
    }
    sent[120]["customerId"] = json!("CUST-005");
    let (status, answer) = post(
        &app,
        &token,
        "addCustomer",
        &json!([{"caseId": "CA510", "customers": sent}]),
    )
    .await;
    let lines: Vec<Value> = (0..150)
        .map(|n| match n {
            120 => failed("CUST-005", "Customer already exists."),
            n => added(&format!("CUST-{n:03}")),
        })
        .collect();
    assert_eq!((status, answer), one_case_answer("CA510", lines));

    let mut kept: Vec<Value> = sent
        .iter()
        .enumerate()
        .filter(|(n, _)| *n != 120)
        .map(|(_, c)| stored(c))
        .collect();
    let ids: Vec<String> = kept
        .iter()
        .map(|c| c["customerId"].as_str().expect("an id").to_owned())
        .collect();
    kept.sort_by(|a, b| a["customerId"].as_str().cmp(&b["customerId"].as_str()));
    assert_eq!(case_customers(&app, "CA510").await, kept);
    assert_eq!(added_events(&app, "CA510").await, ids);
}

async fn the_groups_of_several_cases_are_written_in_the_order_sent(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA520", "CA522"]).await;
    let token = writer(&app);
    // CA520's 120 customers make two groups, and the one at 110 repeats the
    // one at 3, so the second falls back to one customer at a time while
    // the groups after it are already being prepared. CA522 comes twice:
    // its second item's group meets the customer its first one added.
    let mut first: Vec<Value> = (0..120)
        .map(|n| customer(&format!("CUST-{n:03}")))
        .collect();
    first[110] = customer("CUST-003");
    let request = json!([
        {"caseId": "CA520", "customers": first},
        {"caseId": "CA521", "customers": [customer("CUST-Z")]},
        {"caseId": "CA522", "customers": [customer("CUST-003"), customer("CUST-Y")]},
        {"caseId": "CA522", "customers": [customer("CUST-Y")]}
    ]);
    let lines: Vec<Value> = (0..120)
        .map(|n| match n {
            110 => failed("CUST-003", "Customer already exists."),
            n => added(&format!("CUST-{n:03}")),
        })
        .collect();
    let partial = "Customers addition was partially successful.";
    assert_eq!(
        post(&app, &token, "addCustomer", &request).await,
        (
            StatusCode::OK,
            json!({
                "MESSAGE": partial, "STATUS": "PARTIALSUCCESS",
                "RESULTARRAY": [
                    {"MESSAGE": partial, "STATUS": "PARTIALSUCCESS", "caseId": "CA520",
                     "customers": lines},
                    {"MESSAGE": "Case does not exist.", "STATUS": "FAILED", "caseId": "CA521",
                     "customers": [failed("CUST-Z", "Case does not exist.")]},
                    {"MESSAGE": "Customers addition was successful.", "STATUS": "SUCCESS",
                     "caseId": "CA522", "customers": [added("CUST-003"), added("CUST-Y")]},
                    {"MESSAGE": "Customers addition failed.", "STATUS": "FAILED",
                     "caseId": "CA522",
                     "customers": [failed("CUST-Y", "Customer already exists.")]}
                ]
            })
        )
    );
    let ids: Vec<String> = (0..120)
        .filter(|&n| n != 110)
        .map(|n| format!("CUST-{n:03}"))
        .collect();
    assert_eq!(added_events(&app, "CA520").await, ids);
    assert_eq!(
        case_customers(&app, "CA520").await,
        ids.iter()
            .map(|id| stored(&customer(id)))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        case_customers(&app, "CA522").await,
        vec![stored(&customer("CUST-003")), stored(&customer("CUST-Y"))]
    );
}

backend_tests!(
    a_customer_twice_in_a_group_fails_alone,
    a_large_batch_is_stored_whole_across_groups,
    the_groups_of_several_cases_are_written_in_the_order_sent
);
