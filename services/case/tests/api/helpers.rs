//! Starting case-service beside a real party-service, tokens, and the
//! requests and answers the tests use.

use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{Backend, TestApp};

/// The HS256 secret the test apps verify tokens with.
pub const SECRET: &str = "case-service-tests-secret-0123456789abcdef";
/// Where the ECM operations live.
pub const OPS: &str = "/rest-api/ECMService/CaseManagementService";
/// The subject of the tokens that change cases.
pub const ANALYST: &str = "analyst-7";

/// The seed's request sample, verbatim, with the brackets it lacks.
pub const SEED_REQUEST: &str = include_str!("seed_request.json");

/// Starts party-service and case-service on `backend`, with `extra`
/// variables.
pub async fn spawn_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    let mut vars = vec![("DEV_MODE", "true"), ("JWT_HS256_SECRET", SECRET)];
    vars.extend_from_slice(extra);
    TestApp::spawn(backend, &["party", "case"], &vars, &build).await
}

/// What the tests serve: party-service and case-service.
pub fn build(
    ctx: &service_kit::server::Context,
    vars: &std::collections::HashMap<String, String>,
) -> anyhow::Result<Vec<service_kit::Service>> {
    Ok(vec![
        party::service(ctx, Some(vars))?,
        case::service(ctx, Some(vars))?,
    ])
}

/// Starts party-service and case-service on `backend`.
pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, &[]).await
}

/// A token for `subject` with `roles`, valid for ten minutes.
pub fn token(app: &TestApp, subject: &str, roles: &[&str]) -> String {
    mint(&app.vars, subject, roles, 600)
}

/// A token of the ECM API's audience, as `vars` configure it, for `subject`
/// with `roles`, living `ttl` seconds.
pub fn mint(
    vars: &std::collections::HashMap<String, String>,
    subject: &str,
    roles: &[&str],
    ttl: i64,
) -> String {
    let config = service_kit::ServerConfig::load(Some(vars)).expect("config");
    let audience = case::token_policy(Some(vars)).expect("policy").audience;
    let roles: Vec<String> = roles.iter().map(|r| (*r).to_owned()).collect();
    service_kit::auth::mint_dev_token(&config, &audience, subject, &roles, ttl).expect("token")
}

/// A token with exactly `claims`, signed with the app's development secret:
/// for the tokens the API must refuse.
pub fn signed(app: &TestApp, claims: &Value) -> String {
    let config = service_kit::ServerConfig::load(Some(&app.vars)).expect("config");
    service_kit::auth::sign_dev_claims(&config, claims).expect("signed")
}

/// A token that may change cases.
pub fn writer(app: &TestApp) -> String {
    token(app, ANALYST, &["case:write"])
}

/// A token that may only read cases.
pub fn reader(app: &TestApp) -> String {
    token(app, "auditor-2", &["case:read"])
}

/// Posts raw `body` to the operation `op` with `token`; the status and the
/// JSON answer.
pub async fn post_raw(
    app: &TestApp,
    token: Option<&str>,
    op: &str,
    body: String,
) -> (StatusCode, Value) {
    post_to(app, token, &format!("{OPS}/{op}"), body).await
}

/// Posts raw `body` to `path` with `token`; the status and the JSON answer.
pub async fn post_to(
    app: &TestApp,
    token: Option<&str>,
    path: &str,
    body: String,
) -> (StatusCode, Value) {
    let mut request = app
        .anonymous(reqwest::Method::POST, path)
        .header("content-type", "application/json")
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("sent");
    let status = response.status();
    let text = response.text().await.expect("a body");
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON, not {text:?}"));
    (status, body)
}

/// Posts `body` to `op` with `token`.
pub async fn post(app: &TestApp, token: &str, op: &str, body: &Value) -> (StatusCode, Value) {
    post_raw(app, Some(token), op, body.to_string()).await
}

/// Creates the cases `ids`, asserting the whole answer.
pub async fn create_cases(app: &TestApp, ids: &[&str]) {
    let body: Vec<Value> = ids.iter().map(|id| json!({"caseId": id})).collect();
    let results: Vec<Value> = ids
        .iter()
        .map(|id| json!({"MESSAGE": "Case created successfully.", "STATUS": "SUCCESS", "caseId": id}))
        .collect();
    assert_eq!(
        post(app, &writer(app), "createCase", &json!(body)).await,
        (
            StatusCode::OK,
            json!({"MESSAGE": "Cases creation was successful.", "STATUS": "SUCCESS", "RESULTARRAY": results})
        )
    );
}

/// The seed's customer (`CUST123`), as sent.
pub fn seed_customer() -> Value {
    let request: Value = serde_json::from_str(SEED_REQUEST).expect("the seed parses");
    request[0]["customers"][0].clone()
}

/// A valid customer with a few fields.
pub fn customer(id: &str) -> Value {
    json!({
        "customerId": id, "businessAdd": "N", "customerTypeCode": "IND",
        "firstName": "Test", "lastName": id, "dateOfBirth": "1980-01-31",
        "pepFlagCode": "N", "effectiveRisk": 3
    })
}

/// A customer's lists.
pub const LISTS: &[&str] = &[
    "addresses",
    "phones",
    "emails",
    "accounts",
    "onlineAccounts",
    "anticipatoryProfiles",
];

/// What reading back returns for `sent`: every field, `null` or `[]` when
/// not sent.
pub fn stored(sent: &Value) -> Value {
    const FIELDS: &[&str] = &[
        "customerId",
        "businessAdd",
        "customerTypeCode",
        "firstName",
        "middleName",
        "lastName",
        "customerOrganizationName",
        "taxIdFormatCode",
        "taxId",
        "dateOfBirth",
        "genderCode",
        "maritalStatusCode",
        "jurisdictionCode",
        "businessDomainCode",
        "primaryCitizenshipCode",
        "secondaryCitizenshipCode",
        "legalStructure",
        "residenceCode",
        "addedOn",
        "citizenshipStatus",
        "estimatedNetWorth",
        "estimatedAnnualIncome",
        "estimatedLiquidNetWorth",
        "sourceOfWealth",
        "creditRating",
        "creditRatingSource",
        "creditScore",
        "assetsOutsideOfUSCode",
        "isEmployeeCode",
        "worksForFinancialInstitutionCode",
        "employer",
        "isBrokerDealerCode",
        "occupationCode",
        "customerStatusCode",
        "pepFlagCode",
        "effectiveRisk",
        "businessRisk",
        "listRisk",
        "geoRisk",
        "kycRisk",
        "genericInformation",
    ];
    let mut full = serde_json::Map::new();
    for field in FIELDS {
        full.insert((*field).to_owned(), Value::Null);
    }
    for list in LISTS {
        full.insert((*list).to_owned(), json!([]));
    }
    for (key, value) in sent.as_object().expect("an object") {
        full.insert(key.clone(), value.clone());
    }
    Value::Object(full)
}

/// One customer's line of an answer.
pub fn line(status: &str, message: &str, customer_id: &str) -> Value {
    json!({"MESSAGE": message, "STATUS": status, "customerId": customer_id})
}

/// An added customer's line.
pub fn added(customer_id: &str) -> Value {
    line("SUCCESS", "Customer added successfully.", customer_id)
}

/// The whole answer to an addCustomer of one case whose customers were all
/// added: `lines`, one per customer.
pub fn all_added(case_id: &str, lines: Vec<Value>) -> (StatusCode, Value) {
    (
        StatusCode::OK,
        json!({
            "MESSAGE": "Customers addition was successful.", "STATUS": "SUCCESS",
            "RESULTARRAY": [{"MESSAGE": "Customers addition was successful.",
                             "STATUS": "SUCCESS", "caseId": case_id, "customers": lines}]
        }),
    )
}

/// The whole answer, with `status`, to an addCustomer of one case whose
/// customers all failed: `lines`, one per customer.
pub fn all_failed(status: StatusCode, case_id: &str, lines: Vec<Value>) -> (StatusCode, Value) {
    (
        status,
        json!({
            "MESSAGE": "Customers addition failed.", "STATUS": "FAILED",
            "RESULTARRAY": [{"MESSAGE": "Customers addition failed.",
                             "STATUS": "FAILED", "caseId": case_id, "customers": lines}]
        }),
    )
}

/// A failed customer's line.
pub fn failed(customer_id: &str, message: &str) -> Value {
    line("FAILED", message, customer_id)
}

/// Every item under `items` of the read operation `op` on `request`, page by
/// page (100 a page, following the cursor).
pub async fn all_pages(app: &TestApp, op: &str, mut request: Value, items: &str) -> Vec<Value> {
    let mut all = Vec::new();
    request["limit"] = json!(100);
    loop {
        let (status, page) = post(app, &reader(app), op, &request).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        all.extend(page[items].as_array().expect(items).iter().cloned());
        request["cursor"] = page["nextCursor"].clone();
        if request["cursor"].is_null() {
            return all;
        }
    }
}

/// A case's customers, all of them (following the cursor).
pub async fn case_customers(app: &TestApp, case_id: &str) -> Vec<Value> {
    all_pages(
        app,
        "getCaseDetails",
        json!({"caseId": case_id}),
        "customers",
    )
    .await
}

/// Creates a party in party-service; its id.
pub async fn create_party(app: &TestApp, input: &Value) -> String {
    let response = app
        .internal(reqwest::Method::POST, "/party/v1/parties")
        .json(input)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::CREATED);
    let party: Value = response.json().await.expect("json");
    party["id"].as_str().expect("an id").to_owned()
}

/// The ECM envelope alone.
pub fn envelope(message: &str) -> Value {
    json!({"MESSAGE": message, "STATUS": "FAILED"})
}

/// A single-case answer: `{MESSAGE, STATUS, caseId}`.
pub fn case_answer(message: &str, status: &str, case_id: &str) -> Value {
    json!({"MESSAGE": message, "STATUS": status, "caseId": case_id})
}

/// The whole of `getCaseDetails` (first pages) for `case_id`, but for its
/// audit trail, which is checked here to be `getCaseAudit`'s first page and
/// then taken out: its times and ids differ from run to run, and the audit
/// tests assert it.
pub async fn case_details(app: &TestApp, case_id: &str) -> Value {
    let request = json!({"caseId": case_id});
    let (status, mut details) = post(app, &reader(app), "getCaseDetails", &request).await;
    assert_eq!(status, StatusCode::OK, "{details}");
    let (status, trail) = post(app, &reader(app), "getCaseAudit", &request).await;
    assert_eq!(status, StatusCode::OK, "{trail}");
    let object = details.as_object_mut().expect("an object");
    assert_eq!(object.remove("audit"), Some(trail["events"].clone()));
    assert_eq!(
        object.remove("nextAuditCursor"),
        Some(trail["nextCursor"].clone())
    );
    details
}

/// What getCaseDetails answers beside the case and its customers when the
/// case has no lock, events, narratives, accounts, external entities or
/// transactions: each list empty, each cursor `null`; and no customer
/// risk, so no four eyes and no recommendation.
pub fn nothing_else() -> serde_json::Map<String, Value> {
    let mut fields = serde_json::Map::new();
    fields.insert("lock".to_owned(), Value::Null);
    fields.insert("effectiveRisk".to_owned(), Value::Null);
    fields.insert("fourEyesRequired".to_owned(), Value::Bool(false));
    fields.insert("recommendation".to_owned(), Value::Null);
    for list in [
        "events",
        "narratives",
        "accounts",
        "externalEntities",
        "transactions",
    ] {
        fields.insert(list.to_owned(), json!([]));
        let mut capital = list.to_owned();
        capital[..1].make_ascii_uppercase();
        fields.insert(format!("next{capital}Cursor"), Value::Null);
    }
    fields
}

/// `details` (a getCaseDetails answer written out without them) with
/// [`nothing_else`]'s fields added where it does not set them.
pub fn with_nothing_else(mut details: Value) -> Value {
    let object = details.as_object_mut().expect("an object");
    for (key, value) in nothing_else() {
        object.entry(key).or_insert(value);
    }
    details
}
