//! Starting the services, and calling the CAM API as an end user.

use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{call, Backend, TestApp};

/// The HS256 secret the tests sign end-user tokens with.
pub const JWT_SECRET: &str = "test-jwt-secret-0123456789abcdef0123";
/// The registered app.
pub const APP_KEY: &str = "test-app";
/// Its secret.
pub const APP_SECRET: &str = "test-app-secret-0123456789";
/// The operations path.
pub const OPERATIONS: &str = "/services/data/v1/CustomerActionsManagement/operations";

/// The variables a CAM app needs, plus `extra`.
pub fn vars(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    use sha2::Digest;
    let mut vars = vec![
        ("JWT_HS256_SECRET".to_owned(), JWT_SECRET.to_owned()),
        ("DEV_MODE".to_owned(), "true".to_owned()),
        (
            "USER_ACTION_APPS".to_owned(),
            format!(
                "{APP_KEY}:{}",
                hex::encode(sha2::Sha256::digest(APP_SECRET.as_bytes()))
            ),
        ),
    ];
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    vars
}

fn pairs(vars: &[(String, String)]) -> Vec<(&str, &str)> {
    vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// party, document and user-action in one app.
pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, &[]).await
}

/// Builds party, document and user-action from the shared context.
pub fn all_three(
    ctx: &service_kit::server::Context,
    vars: &std::collections::HashMap<String, String>,
) -> anyhow::Result<Vec<service_kit::Service>> {
    Ok(vec![
        party::service(ctx, Some(vars))?,
        document::service(ctx, Some(vars))?,
        user_action::service(ctx, Some(vars))?,
    ])
}

/// The same, with `extra` variables.
pub async fn spawn_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    let vars = vars(extra);
    TestApp::spawn(
        backend,
        &["party", "document", "user-action"],
        &pairs(&vars),
        &all_three,
    )
    .await
}

/// A second replica of `app`: the same services on the same databases, as
/// another process (or pod) would run them.
pub async fn replica_of(app: &TestApp) -> service_kit::RunningServer {
    testkit::start(&app.vars, &all_three).await
}

/// user-action alone, reaching its peers at the given URLs.
pub async fn spawn_user_action(
    backend: Backend,
    party_url: &str,
    document_url: &str,
    extra: &[(&str, &str)],
) -> TestApp {
    let mut all: Vec<(&str, &str)> = vec![
        ("PARTY_SERVICE_URL", party_url),
        ("DOCUMENT_SERVICE_URL", document_url),
    ];
    all.extend_from_slice(extra);
    let vars = vars(&all);
    TestApp::spawn(backend, &["user-action"], &pairs(&vars), &|ctx, vars| {
        Ok(vec![user_action::service(ctx, Some(vars))?])
    })
    .await
}

/// A signed token of the CAM API's audience for `subject` with `roles`.
pub fn token(subject: &str, roles: &[&str]) -> String {
    let vars = vars(&[]).into_iter().collect();
    let config = service_kit::ServerConfig::load(Some(&vars)).expect("config");
    let audience = user_action::token_policy(Some(&vars))
        .expect("policy")
        .audience;
    let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
    service_kit::auth::mint_dev_token(&config, &audience, subject, &roles, 3600).expect("token")
}

/// A token with exactly `claims`, signed with the test apps' development
/// secret: for the tokens the API must refuse.
pub fn signed(claims: &Value) -> String {
    let vars = vars(&[]).into_iter().collect();
    let config = service_kit::ServerConfig::load(Some(&vars)).expect("config");
    service_kit::auth::sign_dev_claims(&config, claims).expect("signed")
}

/// An end user calling the CAM API.
pub struct User<'a> {
    app: &'a TestApp,
    token: String,
}

impl<'a> User<'a> {
    /// `subject`, calling `app`.
    pub fn new(app: &'a TestApp, subject: &str) -> Self {
        Self {
            app,
            token: token(subject, &[]),
        }
    }

    /// `subject` presenting `token` as it is.
    pub fn with_token(app: &'a TestApp, token: String) -> Self {
        Self { app, token }
    }

    /// `subject` with `roles`.
    pub fn with_roles(app: &'a TestApp, subject: &str, roles: &[&str]) -> Self {
        Self {
            app,
            token: token(subject, roles),
        }
    }

    /// A request with the app credentials and the token.
    pub fn request(&self, operation: &str) -> reqwest::RequestBuilder {
        self.request_at(&self.app.url, operation)
    }

    /// The same, to the app at `base` (another replica).
    pub fn request_at(&self, base: &str, operation: &str) -> reqwest::RequestBuilder {
        self.app
            .http
            .post(format!("{base}{OPERATIONS}/{operation}"))
            .header("X-Kony-App-Key", APP_KEY)
            .header("X-Kony-App-Secret", APP_SECRET)
            .header("Authorization", format!("Bearer {}", self.token))
    }

    /// Posts `body` to `operation`.
    pub async fn call(&self, operation: &str, body: &Value) -> (StatusCode, Value) {
        call(self.request(operation).json(body)).await
    }

    /// Creates an application with pre-requirements: (application id, main party id).
    pub async fn application(&self, first: &str, last: &str) -> (String, String) {
        let (status, created) = self
            .call("PersonalInfo/createProspectProfile", &profile(first, last))
            .await;
        assert_eq!(status, StatusCode::OK, "{created}");
        let (status, pre) = self
            .call("UserAction/createPreRequirements", &json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{pre}");
        (
            created["Application_id"].as_str().expect("id").to_owned(),
            created["Party_Id"].as_str().expect("party").to_owned(),
        )
    }

    /// The caller's actions, by identifier: (status, whole listing).
    pub async fn actions(&self) -> Value {
        let (status, listing) = self.call("UserAction/getUserActions", &json!({})).await;
        assert_eq!(status, StatusCode::OK, "{listing}");
        listing
    }
}

/// A minimal valid prospect.
pub fn profile(first: &str, last: &str) -> Value {
    json!({"FirstName": first, "LastName": last, "DateOfBirth": "1990-01-31", "Email": "someone@example.com",
           "MobileCountryCode": "+44", "MobileNumber": "7700900123"})
}

/// A Fabric error body.
pub fn fabric(status: u16, code: u32, message: &str) -> Value {
    json!({"opstatus": code, "httpStatusCode": status, "dbpErrCode": code.to_string(), "dbpErrMsg": message})
}

/// A small real PDF, base64.
pub fn pdf_b64() -> String {
    use base64::Engine;
    let mut bytes = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 2000));
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An upload of `files` (name, type, base64) to `identifier`.
pub fn upload(identifier: &str, files: &[(&str, &str, &str)]) -> Value {
    let items: Vec<Value> = files
        .iter()
        .enumerate()
        .map(|(i, (name, kind, content))| json!({"fileName": name, "fileType": kind, "fileInfo": "", "fileClientId": i, "fileContents": content}))
        .collect();
    json!({"UserActionIdentifier": identifier, "Response": items})
}

/// The documents document-service holds for `subject`'s action.
pub async fn stored_documents(app: &TestApp, subject: &str, reference: &str) -> usize {
    let response = app
        .internal(
            reqwest::Method::GET,
            &format!("/document/v1/documents?reference={reference}&limit=100"),
        )
        .header("X-Owner-System", "user-action")
        .header("X-Owner-Subject", subject)
        .send()
        .await
        .expect("sent");
    let page: Value = response.json().await.expect("json");
    page["items"].as_array().map_or(0, Vec::len)
}

#[derive(diesel::QueryableByName)]
struct Line {
    #[diesel(sql_type = diesel::sql_types::Text)]
    line: String,
}

/// What `sql` (a query of one text column named `line`) reads from
/// user-action's own database: for what no API shows yet (the outbox, the
/// stored requests).
pub fn database_lines(app: &TestApp, backend: Backend, sql: &str) -> Vec<String> {
    use diesel::{Connection, RunQueryDsl};
    let url = &app.vars["USER_ACTION_DATABASE_URL"];
    let lines: Vec<Line> = match backend {
        Backend::Sqlite => {
            let mut conn = diesel::SqliteConnection::establish(url.trim_start_matches("sqlite://"))
                .expect("connect");
            diesel::sql_query(sql).load(&mut conn).expect("query")
        }
        Backend::Postgres => {
            let mut conn = diesel::PgConnection::establish(url).expect("connect");
            diesel::sql_query(sql).load(&mut conn).expect("query")
        }
    };
    lines.into_iter().map(|l| l.line).collect()
}
