//! Amounts, scores and counts are exact: what is sent comes back digit for
//! digit, a number out of bounds fails its customer naming the field, and
//! the doubles stored before amounts were exact survive the migration.

use crate::helpers::{
    added, all_added, build, case_details, create_cases, customer, failed, post_raw, spawn, stored,
    writer,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{backend_tests, faults, Backend, TestApp};

/// A customer whose every amount field is `amounts`' entry, written into the
/// JSON text as it is (no double ever holds it).
fn customer_text(id: &str, amounts: &[&str; 12]) -> String {
    let [net, income, liquid, score, effective, business, list, geo, kyc, average, total, count] =
        amounts;
    format!(
        r#"{{"customerId": "{id}", "businessAdd": "N", "customerTypeCode": "IND",
        "firstName": "Exact", "lastName": "{id}", "pepFlagCode": "N",
        "estimatedNetWorth": {net}, "estimatedAnnualIncome": {income},
        "estimatedLiquidNetWorth": {liquid}, "creditScore": {score},
        "effectiveRisk": {effective}, "businessRisk": {business}, "listRisk": {list},
        "geoRisk": {geo}, "kycRisk": {kyc},
        "anticipatoryProfiles": [{{"profileMetricCode": "WIRE",
            "averageTransactionAmount": {average}, "totalAmount": {total},
            "averageTransactionCount": {count}}}]}}"#
    )
}

/// Adds `customer_text(id, amounts)` to `case_id`, asserting the answer.
async fn add_one(app: &TestApp, case_id: &str, id: &str, amounts: &[&str; 12]) {
    let body = format!(
        r#"[{{"caseId": "{case_id}", "customers": [{}]}}]"#,
        customer_text(id, amounts)
    );
    assert_eq!(
        post_raw(app, Some(&writer(app)), "addCustomer", body).await,
        all_added(case_id, vec![added(id)])
    );
}

/// `text` as JSON. serde_json keeps each number's text (the workspace turns
/// on `arbitrary_precision`), and `Value`s compare numbers by that text:
/// `10.5` is not `10.50`.
fn parsed(text: &str) -> Value {
    serde_json::from_str(text).expect("valid JSON")
}

/// The whole getCaseDetails answer for `case_id`, times replaced.
async fn details(app: &TestApp, case_id: &str) -> Value {
    let mut answer = case_details(app, case_id).await;
    answer["case"]["caseStatusDateTime"] = json!("[time]");
    answer["case"]["createdOn"] = json!("[time]");
    answer
}

/// What getCaseDetails answers for a new case `case_id` holding `customers`.
fn details_of(case_id: &str, customers: Vec<Value>, effective_risk: &str) -> Value {
    crate::helpers::with_nothing_else(json!({
        "effectiveRisk": effective_risk,
        "MESSAGE": "Case details fetched successfully.", "STATUS": "SUCCESS",
        "case": {
            "caseClosedFlag": "N", "caseDescription": null, "caseId": case_id,
            "caseStatusCode": "NW", "caseStatusDateTime": "[time]", "caseStatusName": "New",
            "caseTypeCode": null, "createdBy": "analyst-7", "createdOn": "[time]",
            "priority": null, "dueDate": null, "assignee": null, "assignedAt": null
        },
        "customers": customers,
        "nextCursor": null
    }))
}

/// `customer_text`'s customer as getCaseDetails gives it back, with
/// `amounts` as they are to come back.
fn read_back(id: &str, amounts: &[&str; 12]) -> Value {
    let mut customer = stored(&parsed(&customer_text(id, amounts)));
    let profile = &mut customer["anticipatoryProfiles"][0];
    for field in [
        "debitOrCreditCode",
        "periodTypeCode",
        "sourceOfFundCountryCode",
    ] {
        profile[field] = Value::Null;
    }
    profile["sourceOfFundInstitutionId"] = Value::Null;
    customer
}

async fn amounts_come_back_exactly_as_sent(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA900"]).await;
    // The issue's two, a kept trailing zero, the bounds' extremes, a
    // negative, an exponent (given back written out) and plain integers.
    let sent = [
        "12345.67",
        "0.1",
        "10.50",
        "750",
        "9999999999999999.99999999",
        "-0.00000001",
        "1.5e3",
        "0",
        "-42.125",
        "0.1",
        "12345.67",
        "3",
    ];
    let mut back = sent;
    back[6] = "1500";
    add_one(&app, "CA900", "EXACT-1", &sent).await;
    let answer = details(&app, "CA900").await;
    assert_eq!(
        answer,
        details_of(
            "CA900",
            vec![read_back("EXACT-1", &back)],
            "9999999999999999.99999999"
        )
    );
    // Digit for digit, as JSON text.
    let customer = &answer["customers"][0];
    assert_eq!(customer["estimatedNetWorth"].to_string(), "12345.67");
    assert_eq!(customer["estimatedAnnualIncome"].to_string(), "0.1");
    assert_eq!(customer["estimatedLiquidNetWorth"].to_string(), "10.50");
}

async fn amounts_out_of_bounds_fail_naming_the_field(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA901"]).await;
    let rule = "must be a number with at most 16 digits before the decimal point and 8 after it";
    // A valid customer `id` with `field` written as `value`, as text.
    let with = |id: &str, field: &str, value: &str| {
        let text = customer(id).to_string();
        let text = text.strip_suffix('}').expect("an object");
        format!(r#"{text}, "{field}": {value}}}"#)
    };
    let cases = [
        (
            with("B1", "estimatedNetWorth", "10000000000000000"),
            "estimatedNetWorth",
        ),
        (with("B2", "creditScore", "0.123456789"), "creditScore"),
        (with("B3", "kycRisk", "-12345678901234567.5"), "kycRisk"),
        (with("B4", "geoRisk", "1e400"), "geoRisk"),
        (with("B5", "listRisk", "1e-9"), "listRisk"),
        (
            with(
                "B6",
                "anticipatoryProfiles",
                r#"[{"totalAmount": 99999999999999999999999999999999}]"#,
            ),
            "anticipatoryProfiles[0].totalAmount",
        ),
    ];
    let customers: Vec<&str> = cases.iter().map(|(c, _)| c.as_str()).collect();
    let body = format!(
        r#"[{{"caseId": "CA901", "customers": [{}, {}]}}]"#,
        customers.join(", "),
        customer("GOOD")
    );
    let mut lines: Vec<Value> = cases
        .iter()
        .enumerate()
        .map(|(i, (_, field))| failed(&format!("B{}", i + 1), &format!("Invalid {field}: {rule}.")))
        .collect();
    lines.push(added("GOOD"));
    let partial = "Customers addition was partially successful.";
    assert_eq!(
        post_raw(&app, Some(&writer(&app)), "addCustomer", body).await,
        (
            StatusCode::OK,
            json!({
                "MESSAGE": partial, "STATUS": "PARTIALSUCCESS",
                "RESULTARRAY": [{"MESSAGE": partial, "STATUS": "PARTIALSUCCESS",
                                 "caseId": "CA901", "customers": lines}]
            })
        )
    );
    let answer = details(&app, "CA901").await;
    assert_eq!(
        answer,
        details_of("CA901", vec![stored(&customer("GOOD"))], "3")
    );
}

/// The migration that made amounts exact, undone and done again, on a case
/// whose amounts the undoing turned back into doubles.
async fn doubles_stored_before_are_kept_by_the_migration(backend: Backend) {
    let mut app = spawn(backend).await;
    create_cases(&app, &["CA902"]).await;
    add_one(&app, "CA902", "OLD-1", &["0"; 12]).await;
    let url = app.vars["CASE_DATABASE_URL"].clone();
    let (sealing, down) = match backend {
        Backend::Sqlite => (
            include_str!("../../migrations/sqlite/2026-12-06-000001_seal_personal_data/down.sql"),
            include_str!("../../migrations/sqlite/2026-11-29-000001_exact_amounts/down.sql"),
        ),
        Backend::Postgres => (
            include_str!("../../migrations/postgres/2026-12-06-000001_seal_personal_data/down.sql"),
            include_str!("../../migrations/postgres/2026-11-29-000001_exact_amounts/down.sql"),
        ),
    };
    // The columns as the first migration made them, holding doubles the
    // service took before (0.30000000000000004 was a valid double then).
    // The amounts sealed since are no numbers: emptied before the undoing.
    faults::execute(
        backend,
        &url,
        "UPDATE case_customer_details SET estimated_net_worth = NULL,
             estimated_annual_income = NULL, estimated_liquid_net_worth = NULL,
             credit_score = NULL;
         UPDATE case_customer_anticipatory_profiles SET
             average_transaction_amount = NULL, total_amount = NULL;",
    );
    faults::execute(backend, &url, sealing);
    faults::execute(backend, &url, down);
    faults::execute(
        backend,
        &url,
        "DELETE FROM __diesel_schema_migrations
             WHERE version IN ('20261129000001', '20261206000001');
         UPDATE case_customers SET effective_risk = 0.1, business_risk = 12345.67,
             list_risk = 10, geo_risk = -3.5, kyc_risk = 0.30000000000000004;
         UPDATE case_customer_details SET estimated_net_worth = 9007199254740991,
             estimated_annual_income = 1e15, estimated_liquid_net_worth = 0.25,
             credit_score = 700;
         UPDATE case_customer_anticipatory_profiles SET
             average_transaction_amount = 12345.67, total_amount = 0.1,
             average_transaction_count = 23;",
    );
    let doubles = match backend {
        Backend::Sqlite => "real",
        Backend::Postgres => "double precision",
    };
    assert_eq!(stored_type(backend, &url), doubles);
    app.restart(&[], &build).await;
    let exact = match backend {
        Backend::Sqlite => "text",
        Backend::Postgres => "numeric",
    };
    assert_eq!(stored_type(backend, &url), exact, "migrated again");
    let back = [
        "9007199254740991",
        "1000000000000000",
        "0.25",
        "700",
        "0.1",
        "12345.67",
        "10",
        "-3.5",
        "0.30000000000000004",
        "12345.67",
        "0.1",
        "23",
    ];
    assert_eq!(
        details(&app, "CA902").await,
        details_of("CA902", vec![read_back("OLD-1", &back)], "0.1")
    );
}

/// The type `kyc_risk` is stored as, as the database names it.
fn stored_type(backend: Backend, url: &str) -> String {
    #[derive(diesel::QueryableByName)]
    struct Type {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let query = match backend {
        Backend::Sqlite => "SELECT typeof(kyc_risk) AS name FROM case_customers",
        Backend::Postgres => "SELECT pg_typeof(kyc_risk)::text AS name FROM case_customers",
    };
    let found: Type = diesel::RunQueryDsl::get_result(
        diesel::sql_query(query),
        &mut faults::connect(backend, url),
    )
    .expect("one customer");
    found.name
}

backend_tests!(
    amounts_come_back_exactly_as_sent,
    amounts_out_of_bounds_fail_naming_the_field,
    doubles_stored_before_are_kept_by_the_migration,
);
