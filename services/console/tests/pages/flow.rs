//! Every service behind the applications screen and the evidence (party,
//! document, user-action, case) with the console, and applications made
//! through the CAM API as an applicant makes them: answered, uploaded,
//! submitted, a case opened by the outboxes' deliveries.

use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use service_kit::server::Context;
use service_kit::Service;
use std::collections::HashMap;
use testkit::{eventually, Backend, TestApp};

/// The HS256 secret the end users' tokens are signed with.
const SECRET: &str = "console-flow-tests-secret-0123456789abcdef";
/// The registered app.
const APP_KEY: &str = "test-app";
/// Its secret.
const APP_SECRET: &str = "test-app-secret-0123456789";
/// The CAM API's operations.
const OPERATIONS: &str = "/services/data/v1/CustomerActionsManagement/operations";

/// A small real PDF.
pub fn pdf() -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 1000));
    bytes
}

/// A 1x1 PNG.
pub fn png() -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")
        .expect("a PNG")
}

/// The variables: the seed's catalog, fast outbox retries.
fn vars() -> Vec<(String, String)> {
    let app = format!("{APP_KEY}:{}", hex_sha256(APP_SECRET));
    [
        ("DEV_MODE", "true".to_owned()),
        ("JWT_HS256_SECRET", SECRET.to_owned()),
        ("USER_ACTION_APPS", app),
        ("OUTBOX_BACKOFF_MIN_MS", "100".to_owned()),
        ("OUTBOX_BACKOFF_MAX_SECS", "1".to_owned()),
    ]
    .map(|(k, v)| (k.to_owned(), v))
    .to_vec()
}

fn hex_sha256(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

/// Starts party, document, user-action, case and the console.
pub async fn spawn(backend: Backend) -> TestApp {
    let vars = vars();
    let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    TestApp::spawn(
        backend,
        &["party", "document", "user-action", "case", "console"],
        &pairs,
        &build,
    )
    .await
}

fn build(ctx: &Context, vars: &HashMap<String, String>) -> anyhow::Result<Vec<Service>> {
    Ok(vec![
        party::service(ctx, Some(vars))?,
        document::service(ctx, Some(vars))?,
        user_action::service(ctx, Some(vars))?,
        case::service(ctx, Some(vars))?,
        console::service(ctx, Some(vars))?,
    ])
}

/// An applicant calling the CAM API.
pub struct Applicant<'a> {
    app: &'a TestApp,
    token: String,
}

impl<'a> Applicant<'a> {
    /// `subject`, calling `app`.
    pub fn new(app: &'a TestApp, subject: &str) -> Self {
        let vars: HashMap<String, String> = vars().into_iter().collect();
        let config = service_kit::ServerConfig::load(Some(&vars)).expect("config");
        let audience = user_action::token_policy(Some(&vars))
            .expect("policy")
            .audience;
        let token = service_kit::auth::mint_dev_token(&config, &audience, subject, &[], 3600)
            .expect("a token");
        Self { app, token }
    }

    /// Posts `body` to `operation`, asserting it succeeded.
    pub async fn call(&self, operation: &str, body: &Value) -> Value {
        let request = self
            .app
            .http
            .post(format!("{}{OPERATIONS}/{operation}", self.app.url))
            .header("X-Kony-App-Key", APP_KEY)
            .header("X-Kony-App-Secret", APP_SECRET)
            .header("Authorization", format!("Bearer {}", self.token))
            .json(body);
        let (status, answer) = testkit::call(request).await;
        assert_eq!(status, StatusCode::OK, "{operation}: {answer}");
        answer
    }

    /// Starts an application as `first last`: its id and the applicant's
    /// party.
    pub async fn start(&self, first: &str, last: &str) -> (String, String) {
        let profile = json!({"FirstName": first, "LastName": last, "DateOfBirth": "1990-01-31",
            "Email": "someone@example.com", "MobileCountryCode": "+44", "MobileNumber": "7700900123"});
        let created = self
            .call("PersonalInfo/createProspectProfile", &profile)
            .await;
        self.call("UserAction/createPreRequirements", &json!({}))
            .await;
        (
            created["Application_id"].as_str().expect("id").to_owned(),
            created["Party_Id"].as_str().expect("party").to_owned(),
        )
    }

    /// Uploads `name` (`kind`, `bytes`) to `action`: its document id.
    pub async fn upload(&self, action: &str, name: &str, kind: &str, bytes: &[u8]) -> String {
        let content = base64::engine::general_purpose::STANDARD.encode(bytes);
        let body = json!({"UserActionIdentifier": action, "Response": [{"fileName": name,
            "fileType": kind, "fileInfo": "", "fileClientId": 1, "fileContents": content}]});
        let uploaded = self.call("UserAction/uploadDocument", &body).await;
        uploaded["Response"][0]["documentId"]
            .as_str()
            .expect("documentId")
            .to_owned()
    }

    /// Submits `action` with `response`.
    pub async fn answer(&self, action: &str, response: &str) {
        let body =
            json!({"UserActionIdentifier": action, "Response": response, "Status": "Submitted"});
        self.call("UserAction/updateUserAction", &body).await;
    }
}

/// A submitted application with its case open.
pub struct Submitted {
    /// The application.
    pub application: String,
    /// Its case.
    pub case_id: String,
    /// The payslip, a PDF.
    pub pdf: String,
    /// The driving licence, a PNG.
    pub png: String,
}

/// `subject`'s application as Virat Kohli: a PDF payslip and a PNG
/// licence uploaded, the time at the address answered, submitted, and its
/// case open.
pub async fn submitted(app: &TestApp, subject: &str) -> Submitted {
    let applicant = Applicant::new(app, subject);
    let (application, party) = applicant.start("Virat", "Kohli").await;
    let id = |name: &str| format!("{name}_{party}_{application}");
    let pdf = applicant
        .upload(
            &id("ProofOfIncomeEmployed"),
            "payslip march.pdf",
            "application/pdf",
            &pdf(),
        )
        .await;
    applicant.answer(&id("ProofOfIncomeEmployed"), "").await;
    let png = applicant
        .upload(&id("DriverLicense"), "licence.png", "image/png", &png())
        .await;
    applicant.answer(&id("DriverLicense"), "").await;
    applicant
        .answer(&id("TimeOnCurrentAddress"), "2015-06")
        .await;
    applicant
        .call("UserAction/signalProcess", &json!({"Signal": "Submit"}))
        .await;
    let case_id = eventually("the application's case", || async {
        listed(app, &application)
            .await
            .and_then(|a| a["caseId"].as_str().map(str::to_owned))
    })
    .await;
    Submitted {
        application,
        case_id,
        pdf,
        png,
    }
}

/// Application `id` in user-action's internal listing, if there.
pub async fn listed(app: &TestApp, id: &str) -> Option<Value> {
    let request = app.internal(Method::GET, "/user-action/v1/applications?limit=100");
    let (status, page) = testkit::call(request).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["applications"]
        .as_array()
        .expect("applications")
        .iter()
        .find(|a| a["applicationId"] == id)
        .cloned()
}
