//! Event suppression (ECM guide 4.5): rules made pending, decided by
//! someone other than their creator, listed with the vendor's fields and
//! filters; an approved, unexpired rule keeps a matching event from being
//! promoted.

use crate::events::{promoted, real_time, sample_as, CUSTOMER};
use crate::helpers::{case_details, envelope, post_to, reader, spawn, token, writer, ANALYST};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{backend_tests, Backend, TestApp};

const RULES: &str = "/rest-api/CMRestService/SupressionListRestService";
const SUPERVISOR: &str = "supervisor-1";

async fn rules(app: &TestApp, token: &str, op: &str, body: Value) -> (StatusCode, Value) {
    post_to(app, Some(token), &format!("{RULES}/{op}"), body.to_string()).await
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn vendor(date: chrono::NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// A rule as listed.
fn rule(id: i64, status: &str, effective: Option<&str>, expiry: &str) -> Value {
    json!({
        "supCode": format!("SUP{id}"), "supSeqId": id, "supCreateId": ANALYST,
        "supCreateDate": vendor(today()), "supEffectiveDate": effective,
        "supExprnDate": expiry, "supStatusCode": status, "supEventCode": "POSTARJ0",
        "supCaseId": null, "supScenarioSkey": "User Defined Event", "customerId": CUSTOMER,
        "domain": "abc", "jurisdiction": "AMEA"
    })
}

async fn an_approved_rule_saves_a_matching_event_without_promoting_it(backend: Backend) {
    let app = spawn(backend).await;
    let analyst = writer(&app);
    let supervisor = token(&app, SUPERVISOR, &["case:write"]);
    let expiry = vendor(today() + chrono::Days::new(30));
    let new_rule = json!({
        "customerId": CUSTOMER, "scenario": "User Defined Event", "expiryDate": expiry,
        "domain": "abc", "jurisdiction": "AMEA", "eventCode": "POSTARJ0"
    });
    assert_eq!(
        rules(&app, &analyst, "createSuppressionRule", new_rule.clone()).await,
        (
            StatusCode::OK,
            json!({"MESSAGE": "Suppression rule created successfully.", "STATUS": "SUCCESS",
                   "rule": rule(1, "SUPPND", None, &expiry)})
        )
    );
    // Pending: the event is promoted.
    assert_eq!(
        real_time(
            &app,
            Some(&analyst),
            "saveEventsAndPromoteToCase",
            sample_as("E1").to_string()
        )
        .await,
        promoted("CA1", &["E1"])
    );
    // Its creator may not approve it; someone else may, once.
    assert_eq!(
        rules(
            &app,
            &analyst,
            "approveSuppressionRule",
            json!({"supCode": "SUP1"})
        )
        .await,
        (
            StatusCode::FORBIDDEN,
            envelope("A suppression rule is decided by someone other than its creator.")
        )
    );
    let approved = rule(1, "SUPAPP", Some(&vendor(today())), &expiry);
    assert_eq!(
        rules(
            &app,
            &supervisor,
            "approveSuppressionRule",
            json!({"supCode": "SUP1"})
        )
        .await,
        (
            StatusCode::OK,
            json!({"MESSAGE": "Suppression rule approved successfully.", "STATUS": "SUCCESS", "rule": approved})
        )
    );
    assert_eq!(
        rules(
            &app,
            &supervisor,
            "rejectSuppressionRule",
            json!({"supCode": "SUP1"})
        )
        .await,
        (
            StatusCode::CONFLICT,
            envelope("Suppression rule is not pending: it is SUPAPP.")
        )
    );
    assert_eq!(
        rules(
            &app,
            &supervisor,
            "approveSuppressionRule",
            json!({"supCode": "SUP9"})
        )
        .await,
        (
            StatusCode::NOT_FOUND,
            envelope("Suppression rule does not exist.")
        )
    );

    // Approved: a matching event is saved, not promoted, and says so.
    assert_eq!(
        real_time(
            &app,
            Some(&analyst),
            "saveEventsAndPromoteToCase",
            sample_as("E2").to_string()
        )
        .await,
        (
            StatusCode::OK,
            json!({
                "message": "Event(s) saved successfully. Event(s) suppressed, not promoted to case.",
                "status": "SUCCESS", "Event Id(s)": "E2", "cases": [],
                "suppressedEvents": [{"eventCode": "E2", "supCode": "SUP1"}]
            })
        )
    );
    // Saved: its code is taken.
    assert_eq!(
        real_time(
            &app,
            Some(&analyst),
            "saveEvents",
            sample_as("E2").to_string()
        )
        .await
        .0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    // Another scenario is not suppressed.
    let mut other = sample_as("E3");
    other["events"][0]["details"][0]["scenarioName"] = json!("Large Cash");
    assert_eq!(
        real_time(
            &app,
            Some(&analyst),
            "saveEventsAndPromoteToCase",
            other.to_string()
        )
        .await,
        promoted("CA2", &["E3"])
    );
    assert_eq!(
        case_details(&app, "CA2").await["events"][0]["suppressedBy"],
        Value::Null
    );

    // A rejected rule suppresses nothing.
    let mut second = new_rule.clone();
    second["scenario"] = json!("Large Cash");
    assert_eq!(
        rules(&app, &analyst, "createSuppressionRule", second)
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        rules(
            &app,
            &supervisor,
            "rejectSuppressionRule",
            json!({"supCode": "SUP2"})
        )
        .await
        .0,
        StatusCode::OK
    );
    let mut fourth = sample_as("E4");
    fourth["events"][0]["details"][0]["scenarioName"] = json!("Large Cash");
    assert_eq!(
        real_time(
            &app,
            Some(&analyst),
            "saveEventsAndPromoteToCase",
            fourth.to_string()
        )
        .await,
        promoted("CA3", &["E4"])
    );

    // The list, with the vendor's filters.
    let rejected = {
        let mut r = rule(2, "SUPREJ", None, &expiry);
        r["supScenarioSkey"] = json!("Large Cash");
        r
    };
    let list = |results: Vec<Value>| {
        (
            StatusCode::OK,
            json!({"MESSAGE": "Suppression rules fetched successfully.", "STATUS": "SUCCESS",
                   "RESULTARRAY": results, "nextCursor": null}),
        )
    };
    let read = reader(&app);
    assert_eq!(
        rules(&app, &read, "getSuppressionRulesList", json!({})).await,
        list(vec![approved.clone(), rejected.clone()])
    );
    let yesterday = vendor(today() - chrono::Days::new(1));
    assert_eq!(
        rules(&app, &read, "getSuppressionRulesList",
              json!({"domain": "abc", "jurisdiction": "AMEA,IND", "fromDate": yesterday, "toDate": vendor(today())})).await,
        list(vec![approved.clone(), rejected])
    );
    for filter in [
        json!({"domain": "xyz"}),
        json!({"jurisdiction": "IND"}),
        json!({"toDate": yesterday}),
        json!({"fromDate": vendor(today() + chrono::Days::new(1))}),
    ] {
        assert_eq!(
            rules(&app, &read, "getSuppressionRulesList", filter.clone()).await,
            list(vec![]),
            "{filter}"
        );
    }
    let (_, page) = rules(&app, &read, "getSuppressionRulesList", json!({"limit": 1})).await;
    assert_eq!(
        (
            page["RESULTARRAY"].as_array().map(Vec::len),
            &page["nextCursor"]
        ),
        (Some(1), &json!(1))
    );
}

async fn bad_rules_and_filters_are_refused_naming_the_field(backend: Backend) {
    let app = spawn(backend).await;
    let analyst = writer(&app);
    let good = json!({"customerId": "C1", "scenario": "S", "expiryDate": vendor(today())});
    let with = |key: &str, value: Value| {
        let mut body = good.clone();
        body[key] = value;
        body
    };
    for (body, message) in [
        (
            with("expiryDate", json!("2027-01-01")),
            "Invalid expiryDate: must be a real date written DD/MM/YYYY.",
        ),
        (
            with("expiryDate", json!(vendor(today() - chrono::Days::new(1)))),
            "Invalid expiryDate: must be today or later.",
        ),
        (
            with("scenario", json!(" ")),
            "Invalid scenario: must not be blank.",
        ),
        (
            with("customerId", json!("")),
            "Invalid customerId: must not be blank.",
        ),
        (
            with("colour", json!(1)),
            "Invalid colour: is not a known field.",
        ),
        (
            json!({"scenario": "S", "expiryDate": "01/01/2030"}),
            "Input JSON data does not have customerId.",
        ),
    ] {
        assert_eq!(
            rules(&app, &analyst, "createSuppressionRule", body.clone()).await,
            (StatusCode::BAD_REQUEST, envelope(message)),
            "{body}"
        );
    }
    for (body, message) in [
        (
            json!({"fromDate": "2022-05-03"}),
            "Invalid fromDate: must be a real date written DD/MM/YYYY.",
        ),
        (
            json!({"fromDate": "07/05/2022", "toDate": "03/05/2022"}),
            "Invalid toDate: must not be before fromDate.",
        ),
        (
            json!({"limit": 0}),
            "Invalid limit: must be a whole number from 1 to 100.",
        ),
        (
            json!({"domain": 5}),
            "Invalid domain: invalid type: integer `5`, expected a string.",
        ),
    ] {
        assert_eq!(
            rules(&app, &reader(&app), "getSuppressionRulesList", body.clone()).await,
            (StatusCode::BAD_REQUEST, envelope(message)),
            "{body}"
        );
    }
    assert_eq!(
        rules(
            &app,
            &analyst,
            "approveSuppressionRule",
            json!({"supCode": "RULE1"})
        )
        .await,
        (
            StatusCode::BAD_REQUEST,
            envelope("Invalid supCode: must be SUP followed by a number.")
        )
    );
    assert_eq!(
        rules(&app, &reader(&app), "createSuppressionRule", good)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, _) = post_to(
        &app,
        None,
        &format!("{RULES}/getSuppressionRulesList"),
        "{}".into(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

backend_tests!(
    an_approved_rule_saves_a_matching_event_without_promoting_it,
    bad_rules_and_filters_are_refused_naming_the_field
);
