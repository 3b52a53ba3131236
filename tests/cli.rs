//! The `onboarding` binary itself: the README's flow against `serve`, logs
//! free of personal data, SIGTERM, `migrate`, `token`, `openapi`, and
//! configuration errors that name the variable.

use reqwest::StatusCode;
use serde_json::{json, Value};
use service_kit::DbConnection;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use testkit::{backend_tests, free_port, Backend};

mod support;

const BIN: &str = env!("CARGO_BIN_EXE_onboarding");

/// The database URL `serve` gets for party on `backend`, if any.
fn party_database(backend: Backend) -> Option<String> {
    match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(testkit::postgres::create_database(
            testkit::postgres::server_url().expect("server"),
        )),
    }
}

/// `onboarding serve` with JSON debug logs, stopped with SIGTERM when dropped.
struct Served {
    child: Child,
    base: String,
    data_dir: tempfile::TempDir,
    /// What `serve` printed, up to the end of its first request.
    banner: String,
    /// Everything it logs, read as it comes: a pipe nobody reads fills up
    /// and stops the server at its next log line.
    logs: std::thread::JoinHandle<String>,
}

impl Served {
    fn start(backend: Backend) -> Self {
        let data_dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let mut command = Command::new(BIN);
        command
            .arg("serve")
            .env("PORT", port.to_string())
            .env("DATA_DIR", data_dir.path())
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "debug")
            .env_remove("INTERNAL_CREDENTIAL")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(url) = party_database(backend) {
            command.env("PARTY_DATABASE_URL", url);
        }
        let mut child = command.spawn().expect("serve starts");
        let mut stderr = child.stderr.take().expect("stderr");
        let logs = std::thread::spawn(move || {
            let mut logs = String::new();
            std::io::Read::read_to_string(&mut stderr, &mut logs).expect("logs");
            logs
        });
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut banner = Vec::new();
        for line in stdout.lines() {
            let line = line.expect("a line");
            let done = line.contains("-d '");
            banner.push(line);
            if done {
                break;
            }
        }
        let banner = banner.join("\n");
        let base = format!("http://127.0.0.1:{port}");
        assert!(
            banner.starts_with(&format!("Onboarding is listening on {base}")),
            "{banner}"
        );
        assert!(
            banner.contains("curl -s -X POST"),
            "a first request to try: {banner}"
        );
        // The console first, for a newcomer to open (issue 15).
        assert_eq!(
            banner.lines().nth(1),
            Some(format!("Console: {base}/console/").as_str()),
            "{banner}"
        );
        Self {
            child,
            base,
            data_dir,
            banner,
            logs,
        }
    }

    fn credential(&self) -> String {
        std::fs::read_to_string(self.data_dir.path().join("internal-credential"))
            .expect("generated credential")
    }

    /// Sends SIGTERM and returns the exit status and everything logged.
    fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        let status = self.child.wait().expect("exits");
        (status, self.logs.join().expect("the logs read"))
    }
}

/// The README's example, step by step, against `serve`; then the logs of the
/// whole flow are searched for the personal data it carried.
async fn the_readme_flow_works_and_logs_no_personal_data(backend: Backend) {
    let served = Served::start(backend);
    let http = reqwest::Client::new();
    let credential = served.credential();
    let ready = http
        .get(format!("{}/health/ready", served.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(ready.status(), StatusCode::OK);

    let input = json!({
        "kind": "person", "firstName": "Virat", "lastName": "Kohli", "dateOfBirth": "1985-10-10",
        "contactPoints": [{"channel": "email", "value": "kanand@temenos.com"}],
        "identifiers": [{"type": "taxId", "formatCode": "S", "value": "TX123"}]
    });
    let created: Value = json_of(
        http.post(format!("{}/party/v1/parties", served.base))
            .header("X-Service-Credential", &credential)
            .json(&input),
    )
    .await;
    let id = created["id"].as_str().expect("id");
    let path = format!("{}/party/v1/parties/{id}", served.base);
    let read: Value = json_of(http.get(&path).header("X-Service-Credential", &credential)).await;
    assert_eq!(read, created);
    let updated: Value = json_of(
        http.patch(&path)
            .header("X-Service-Credential", &credential)
            .json(&json!({"nationality": "IN"})),
    )
    .await;
    assert_eq!(updated["nationality"], "IN");
    for query in [
        "lastName=Kohli",
        "dateOfBirth=1985-10-10",
        "email=kanand%40temenos.com",
        "taxId=TX123",
    ] {
        let page: Value = json_of(
            http.get(format!("{}/party/v1/parties?{query}", served.base))
                .header("X-Service-Credential", &credential),
        )
        .await;
        assert_eq!(
            page,
            json!({"items": [updated], "nextCursor": null}),
            "{query}"
        );
    }

    let (status, logs) = served.terminate();
    assert!(status.success(), "SIGTERM stops it cleanly: {status}");
    assert!(logs.contains("request served"), "access logs are written");
    testkit::assert_absent(
        "the logs",
        &logs,
        &[
            "Virat",
            "Kohli",
            "kohli",
            "1985-10-10",
            "TX123",
            "kanand",
            "temenos",
            &credential,
        ],
    );
}

fn run(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let data_dir = tempfile::tempdir().expect("tempdir");
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env("DATA_DIR", data_dir.path())
        .env_remove("DEV_MODE")
        .env_remove("JWT_HS256_SECRET");
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().expect("runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn migrate_applies_the_migrations(backend: Backend) {
    let data_dir = tempfile::tempdir().expect("tempdir");
    let mut command = Command::new(BIN);
    command.arg("migrate").env("DATA_DIR", data_dir.path());
    let url = party_database(backend);
    if let Some(url) = &url {
        command.env("PARTY_DATABASE_URL", url);
    }
    let out = command.output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    match url {
        None => assert!(data_dir.path().join("party.db").exists()),
        Some(url) => {
            use diesel::{Connection, RunQueryDsl};
            let mut conn = diesel::PgConnection::establish(&url).expect("connect");
            let tables = diesel::sql_query("SELECT 1 FROM parties").execute(&mut conn);
            assert!(tables.is_ok(), "the parties table exists");
        }
    }
}

/// How case-service answers for the business account `id`.
async fn business_account(app: &testkit::TestApp, id: &str) -> StatusCode {
    app.internal(
        reqwest::Method::GET,
        &format!("/case/v1/business-records/account/{id}"),
    )
    .send()
    .await
    .expect("sent")
    .status()
}

/// `onboarding import FILE`: a refused line loads nothing, and is named
/// with its field, also after a batch was written; a database failing
/// midway says how many were loaded (none on PostgreSQL, the committed
/// batches on SQLite); a good file is loaded, and
/// `businessAdd: "Y"` finds its records.
async fn import_loads_the_business_records(backend: Backend) {
    let secret = "import-test-jwt-secret-0123456789abcdef";
    let extra = [("DEV_MODE", "true"), ("JWT_HS256_SECRET", secret)];
    let app = testkit::TestApp::spawn(backend, &["party", "case"], &extra, &build_all).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let import = |lines: &[Value]| {
        let path = dir.path().join("records.jsonl");
        let text: String = lines.iter().map(|l| format!("{l}\n\n")).collect();
        std::fs::write(&path, text).expect("written");
        let out = Command::new(BIN)
            .arg("import")
            .arg(&path)
            .envs(&app.vars)
            .output()
            .expect("runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            path,
        )
    };
    let account = json!({"kind": "account", "record": {"accountId": "A1", "accountName": "Savings", "taxId": "TX1"}});
    let bad = json!({"kind": "transaction", "record": {"transactionReferenceId": "T1", "transactionTypeCode": "W", "quantity": 2}});
    let (ok, _, stderr, _) = import(&[
        account.clone(),
        bad,
        json!({"kind": "account", "record": {}}),
    ]);
    assert!(!ok);
    assert_eq!(
        stderr.trim(),
        "error: nothing was loaded; 2 lines refused:\n  line 3: record.quantity: applies only to back office transactions\n  line 5: record.accountId: is required"
    );
    let status = business_account(&app, "A1").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing was loaded");

    // A refusal after a whole batch of good lines (5,000 records a batch)
    // loads nothing either: PostgreSQL rolls back what it wrote on the way.
    let mut lines: Vec<Value> = (0..5_001)
        .map(|n| json!({"kind": "account", "record": {"accountId": format!("B{n}")}}))
        .collect();
    lines.push(json!({"kind": "account", "record": {}}));
    let (ok, _, stderr, _) = import(&lines);
    assert!(!ok);
    assert_eq!(
        stderr.trim(),
        "error: nothing was loaded; 1 line refused:\n  line 10003: record.accountId: is required"
    );
    for id in ["B0", "B5000"] {
        let status = business_account(&app, id).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}: nothing was loaded");
    }

    // The database failing in the second batch (B5000, stored beforehand,
    // meets an UPDATE that fails): PostgreSQL rolls the first batch back,
    // SQLite has committed it; either way the error says how many were
    // loaded, and loading again, once mended, loads everything.
    let (ok, _, stderr, _) = import(&lines[5_000..5_001]);
    assert!(ok, "{stderr}");
    let url = app.vars["CASE_DATABASE_URL"].clone();
    testkit::faults::fail_on(backend, &url, "business_records", "UPDATE");
    let (ok, _, stderr, _) = import(&lines[..5_001]);
    assert!(!ok);
    let loaded = match backend {
        Backend::Postgres => 0,
        Backend::Sqlite => 5_000,
    };
    let said = format!("error: the database failed after {loaded} records were loaded (loading the file again is safe): ");
    assert!(stderr.starts_with(&said), "{stderr}");
    let first_batch = business_account(&app, "B0").await;
    assert_eq!(first_batch == StatusCode::OK, loaded > 0, "{first_batch}");
    testkit::faults::mend(backend, &url, "business_records", "UPDATE");
    let (ok, _, stderr, _) = import(&lines[..5_001]);
    assert!(ok, "{stderr}");
    for id in ["B0", "B4999", "B5000"] {
        assert_eq!(business_account(&app, id).await, StatusCode::OK, "{id}");
    }

    let entity =
        json!({"kind": "externalEntity", "record": {"externalEntity": "E1", "riskRating": 0.1}});
    let (ok, stdout, stderr, path) = import(&[account.clone(), entity]);
    assert!(ok, "{stderr}");
    assert_eq!(
        stdout,
        format!("2 business records loaded from {}\n", path.display())
    );
    let (ok, _, stderr, _) = import(std::slice::from_ref(&account));
    assert!(ok, "loading again is safe: {stderr}");

    let token = analyst_token(&app);
    let ecm = |op: &str| format!("/rest-api/ECMService/CaseManagementService/{op}");
    for (op, body) in [
        ("createCase", json!([{"caseId": "C1"}])),
        (
            "addAccount",
            json!([{"caseId": "C1", "accounts": [{"accountId": "A1", "businessAdd": "Y"}]}]),
        ),
    ] {
        let response = app
            .anonymous(reqwest::Method::POST, &ecm(op))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::OK, "{op}");
    }
    let details: Value = json_of(
        app.anonymous(reqwest::Method::POST, &ecm("getCaseDetails"))
            .bearer_auth(&token)
            .json(&json!({"caseId": "C1"})),
    )
    .await;
    let mut expected = account["record"].clone();
    expected["businessAdd"] = json!("Y");
    for field in [
        "type1",
        "type2",
        "registrationType",
        "ownerTypeCode",
        "taxIdFormatCode",
        "firmId",
        "taxWithHoldCode",
        "jurisdictionCode",
        "businessDomainCode",
        "houseHoldGroupId",
        "legalEntity",
        "openDate",
        "closeDate",
    ] {
        expected[field] = Value::Null;
    }
    assert_eq!(details["accounts"], json!([expected]));
}

backend_tests!(
    the_readme_flow_works_and_logs_no_personal_data,
    migrate_applies_the_migrations,
    import_loads_the_business_records,
    rekey_moves_everything_to_the_new_key,
    rekey_recomputes_record_keys_under_a_new_blind_index_key,
    rekey_keeps_a_write_made_while_it_runs,
    rekey_seals_only_the_legacy_content_recorded,
    demo_fills_the_standalone_run
);

#[test]
fn bad_configuration_names_the_variable() {
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[("PORT", "eighty")], "error: configuration: PORT has a value that cannot be parsed"),
        (&[("PARTY_DATABASE_URL", "mysql://db/party")], "error: configuration: PARTY_DATABASE_URL must start with postgres://, postgresql:// or sqlite://"),
        (&[("PARTY_DATABASE_URL", "sqlite://:memory:")], "error: configuration: PARTY_DATABASE_URL must name a SQLite file; in-memory databases cannot be pooled"),
        (&[("INTERNAL_CREDENTIAL", "too-short")], "error: configuration: INTERNAL_CREDENTIAL must be at least 24 characters"),
        // An HS256 secret is a development convenience: whoever holds it
        // mints any token. Outside DEV_MODE the server does not start.
        (&[("JWT_HS256_SECRET", "0123456789abcdef0123456789abcdef")], "error: configuration: JWT_HS256_SECRET is for development only: set DEV_MODE=true, or verify RS256 tokens with JWT_RS256_PUBLIC_KEY_FILE"),
    ];
    for (env, expected) in cases {
        let (ok, _, stderr) = run(&["serve"], env);
        assert!(!ok, "{env:?} must stop the start");
        assert_eq!(stderr.trim(), expected);
    }
    let (ok, _, stderr) = run(&["serve", "billing"], &[]);
    assert!(!ok);
    assert_eq!(
        stderr.trim(),
        "error: unknown service billing; the services are: party, document, user-action, case, console"
    );
}

#[test]
fn token_minting_needs_dev_mode() {
    let secret = "0123456789abcdef0123456789abcdef";
    let (ok, _, stderr) = run(
        &["token", "--for", "case", "--subject", "u1"],
        &[("JWT_HS256_SECRET", secret)],
    );
    assert!(!ok);
    assert_eq!(
        stderr.trim(),
        "error: configuration: DEV_MODE must be true to mint development tokens"
    );
    let dev = [("JWT_HS256_SECRET", secret), ("DEV_MODE", "true")];
    let mint = |args: &[&str]| {
        let mut all = vec!["token", "--subject", "u1"];
        all.extend_from_slice(args);
        run(&all, &dev)
    };
    let claims = |token: &str, audience: &str| {
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
        validation.set_audience(&[audience]);
        validation.set_issuer(&["onboarding"]);
        jsonwebtoken::decode::<Value>(
            token.trim(),
            &jsonwebtoken::DecodingKey::from_secret(secret.as_bytes()),
            &validation,
        )
        .expect("a valid token")
        .claims
    };
    let lifetime = |claims: &Value| {
        claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat")
    };

    // Each token is for one API: its audience is that API's own.
    let (ok, stdout, stderr) = mint(&["--for", "case", "--role", "case:write", "--ttl", "60"]);
    assert!(ok, "{stderr}");
    let ecm = claims(&stdout, "onboarding-ecm");
    assert_eq!(
        (ecm["sub"].as_str(), ecm["roles"].clone(), lifetime(&ecm)),
        (Some("u1"), json!(["case:write"]), 60)
    );
    // Without --ttl, the longest lifetime the API accepts.
    let (ok, stdout, stderr) = mint(&["--for", "user-action"]);
    assert!(ok, "{stderr}");
    assert_eq!(lifetime(&claims(&stdout, "onboarding-cam")), 3600);

    for (args, expected) in [
        (
            &["--for", "case", "--ttl", "3601"][..],
            "error: --ttl 3601 is longer than case accepts (3600 s)",
        ),
        (
            &["--for", "party"][..],
            "error: party takes no end-user tokens; tokens are for: user-action, case",
        ),
    ] {
        let (ok, _, stderr) = mint(args);
        assert!(!ok, "{args:?}");
        assert_eq!(stderr.trim(), expected);
    }
}

#[test]
fn the_checked_in_api_documents_are_current() {
    let proto_docs = concat!(env!("CARGO_MANIFEST_DIR"), "/proto-docs");
    let (ok, _, stderr) = run(&["openapi", "--check", "--out", proto_docs], &[]);
    assert!(ok, "{stderr}");
    let stale = tempfile::tempdir().expect("tempdir");
    std::fs::write(stale.path().join("party.json"), "{}").expect("write");
    let (ok, _, stderr) = run(
        &[
            "openapi",
            "--check",
            "--out",
            &stale.path().display().to_string(),
        ],
        &[],
    );
    assert!(!ok);
    assert!(
        stderr.contains("out of date (run `onboarding openapi`)"),
        "{stderr}"
    );
}

#[test]
fn serve_stops_within_the_shutdown_timeout() {
    let served = Served::start(Backend::Sqlite);
    let started = std::time::Instant::now();
    let (status, _) = served.terminate();
    assert!(status.success());
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// A `case:write` token of the ECM API of `app`.
fn analyst_token(app: &testkit::TestApp) -> String {
    let config = service_kit::ServerConfig::load(Some(&app.vars)).expect("config");
    onboarding::token(
        &config,
        Some(&app.vars),
        "case",
        "a1",
        &["case:write".into()],
        Some(600),
    )
    .expect("token")
}

/// Every service in one process, as `serve` builds them.
fn build_all(
    ctx: &service_kit::server::Context,
    vars: &std::collections::HashMap<String, String>,
) -> anyhow::Result<Vec<service_kit::Service>> {
    onboarding::build_all(&onboarding::service_names(), ctx, Some(vars))
}

/// `onboarding rekey` after a new key is put in front: everything sealed
/// under the old key is sealed under the new one, so the old key can go.
async fn rekey_moves_everything_to_the_new_key(backend: Backend) {
    use testkit::{KEY_A, KEY_B};
    let names = onboarding::service_names();
    let cam_vars = support::cam::cam_vars();
    let mut extra: Vec<(&str, &str)> = vec![("ENCRYPTION_KEYS", KEY_A)];
    extra.extend(cam_vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let mut app = testkit::TestApp::spawn(backend, &names, &extra, &build_all).await;
    let party = party_with_tax_id(&app, "TX123").await;
    // An application in user-action: its applicant's names and its
    // Idempotency-Key's stored answer are sealed.
    let applicant = support::cam::Cam::new(&app.url, "applicant-1");
    let (status, created) = testkit::call(
        applicant
            .request("PersonalInfo/createProspectProfile")
            .header("Idempotency-Key", "rekey-1")
            .json(&support::cam::seed_create_prospect()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let content = b"%PDF-1.4\nrekey test content".to_vec();
    let owner = [("X-Owner-System", "user-action"), ("X-Owner-Subject", "u1")];
    let mut upload = app
        .internal(reqwest::Method::POST, "/document/v1/documents")
        .json(
            &json!({"reference": "r", "fileName": "a.pdf", "fileType": "application/pdf",
                      "fileInfo": "", "fileContents": base64_of(&content)}),
        );
    for (name, value) in owner {
        upload = upload.header(name, value);
    }
    let document: Value = json_of(upload).await;
    assert!(
        party["id"].is_string() && document["id"].is_string(),
        "{party} {document}"
    );
    let token = analyst_token(&app);
    let ecm = |op: &str| format!("/rest-api/ECMService/CaseManagementService/{op}");
    for (op, body) in [
        ("createCase", json!([{"caseId": "C1"}])),
        (
            "addCustomer",
            json!([{"caseId": "C1", "customers": [{"customerId": "K1",
            "taxId": "TX999", "genericInformation": {"SSN": "123-12-1234"},
            "lastName": "Okafor",
            "estimatedNetWorth": serde_json::from_str::<Value>("12.50").expect("number"),
            "accounts": [{"accountId": "ACC-K1"}]}]}]),
        ),
        (
            "addAccount",
            json!([{"caseId": "C1", "accounts": [{"accountId": "A1", "taxId": "TX777"}]}]),
        ),
        (
            "addNarrative",
            json!([{"caseId": "C1", "narrative": "Seen twice at the branch."}]),
        ),
    ] {
        let response = app
            .anonymous(reqwest::Method::POST, &ecm(op))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::OK, "{op}");
    }
    let loaded = app
        .internal(reqwest::Method::POST, "/case/v1/business-records")
        .json(&json!([{"kind": "transaction", "record": {"transactionReferenceId": "T1", "baseAmount": 5}}]))
        .send()
        .await
        .expect("sent");
    assert_eq!(loaded.status(), StatusCode::OK);
    app.take_server().stop(true).await;

    let rotated = format!("{KEY_B},{KEY_A}");
    let mut command = Command::new(BIN);
    command
        .arg("rekey")
        .envs(&app.vars)
        .env("ENCRYPTION_KEYS", &rotated);
    let out = command.output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        // party: the party with a tax id and the applicant's; user-action:
        // the applicant (names) and the Idempotency-Key's answer; case: the
        // customer's tax id, generic information, last name, net worth and
        // account id, the account and its id, the narrative, the business
        // transaction and its id, and the audit trail's values of the
        // customer, the account and the narrative added, with the
        // account's id; document: the object and its row (file name, info
        // and client id).
        "party: 2 rewritten under key b\ndocument: 2 rewritten under key b\nuser-action: 2 rewritten under key b\ncase: 14 rewritten under key b\n"
    );

    app.restart(&[("ENCRYPTION_KEYS", Some(KEY_B))], &build_all)
        .await;
    let id = party["id"].as_str().expect("id");
    let read: Value =
        json_of(app.internal(reqwest::Method::GET, &format!("/party/v1/parties/{id}"))).await;
    assert_eq!(read, party);
    // (The restarted app listens on another port.)
    let applicant = support::cam::Cam::new(&app.url, "applicant-1");
    let (status, again) = testkit::call(
        applicant
            .request("PersonalInfo/createProspectProfile")
            .header("Idempotency-Key", "rekey-1")
            .json(&support::cam::seed_create_prospect()),
    )
    .await;
    assert_eq!((status, &again), (StatusCode::OK, &created));
    let path = format!(
        "/document/v1/documents/{}/content",
        document["id"].as_str().expect("id")
    );
    let mut download = app.internal(reqwest::Method::GET, &path);
    for (name, value) in owner {
        download = download.header(name, value);
    }
    let bytes = download
        .send()
        .await
        .expect("sent")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(bytes.as_ref(), content.as_slice());
    let details: Value = json_of(
        app.anonymous(reqwest::Method::POST, &ecm("getCaseDetails"))
            .bearer_auth(&token)
            .json(&json!({"caseId": "C1"})),
    )
    .await;
    let customer = &details["customers"][0];
    assert_eq!(
        (&customer["taxId"], &customer["genericInformation"]),
        (&json!("TX999"), &json!({"SSN": "123-12-1234"}))
    );
    assert_eq!(
        (
            &customer["lastName"],
            &customer["estimatedNetWorth"],
            &customer["accounts"][0]["accountId"]
        ),
        (
            &json!("Okafor"),
            &serde_json::from_str::<Value>("12.50").expect("number"),
            &json!("ACC-K1")
        )
    );
    assert_eq!(details["accounts"][0]["taxId"], json!("TX777"));
    assert_eq!(
        details["narratives"][0]["narrative"],
        json!("Seen twice at the branch.")
    );
    let trail: Value = json_of(
        app.anonymous(reqwest::Method::POST, &ecm("getCaseAudit"))
            .bearer_auth(&token)
            .json(&json!({"caseId": "C1"})),
    )
    .await;
    let values: Vec<&str> = trail["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["newValue"].as_str())
        .collect();
    assert_eq!(values.len(), 3, "{trail}");
    assert!(values[0].contains("\"TX999\"") && values[1].contains("\"TX777\""));
    assert_eq!(values[2], "Seen twice at the branch.");
    let business: Value = json_of(app.internal(
        reqwest::Method::GET,
        "/case/v1/business-records/transaction/T1",
    ))
    .await;
    assert_eq!(business["record"]["baseAmount"], json!(5));

    let (ok, _, stderr) = run(&["rekey"], &[]);
    assert!(!ok);
    assert_eq!(
        stderr.trim(),
        "error: configuration: ENCRYPTION_KEYS is required: rekey never generates keys"
    );
}

/// `onboarding rekey` with a new `BLIND_INDEX_KEY` recomputes the keys
/// business records are found by (the blind index of their ids): after a
/// restart under the new key, a record on a case and one of the bank's are
/// found by id again.
async fn rekey_recomputes_record_keys_under_a_new_blind_index_key(backend: Backend) {
    const NEW_INDEX_KEY: &str = "d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4";
    let names = onboarding::service_names();
    // (The CAM settings carry DEV_MODE, which minting a token needs.)
    let cam_vars = support::cam::cam_vars();
    let mut extra: Vec<(&str, &str)> = vec![
        ("ENCRYPTION_KEYS", testkit::KEY_A),
        ("BLIND_INDEX_KEY", testkit::BLIND_INDEX_KEY),
    ];
    extra.extend(cam_vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let mut app = testkit::TestApp::spawn(backend, &names, &extra, &build_all).await;
    let ecm = |op: &str| format!("/rest-api/ECMService/CaseManagementService/{op}");
    let post = |app: &testkit::TestApp, op: &str, body: Value| {
        app.anonymous(reqwest::Method::POST, &ecm(op))
            .bearer_auth(analyst_token(app))
            .json(&body)
    };
    let account = json!([{"caseId": "C1", "accounts": [{"accountId": "ACC-PRIVATE-7731"}]}]);
    for (op, body) in [
        ("createCase", json!([{"caseId": "C1"}])),
        ("addAccount", account.clone()),
    ] {
        let (status, answer) = testkit::call(post(&app, op, body)).await;
        assert_eq!(status, StatusCode::OK, "{op}: {answer}");
    }
    let loaded = app
        .internal(reqwest::Method::POST, "/case/v1/business-records")
        .json(&json!([{"kind": "transaction", "record": {"transactionReferenceId": "TXN-PRIVATE-4410"}}]))
        .send()
        .await
        .expect("sent");
    assert_eq!(loaded.status(), StatusCode::OK);
    app.take_server().stop(true).await;

    let out = Command::new(BIN)
        .arg("rekey")
        .envs(&app.vars)
        .env("BLIND_INDEX_KEY", NEW_INDEX_KEY)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Nothing else changes key: the two records, each its id and content,
    // and the account's audit record (its id, with its key).
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("case: 5 rewritten under key a\n"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    app.restart(&[("BLIND_INDEX_KEY", Some(NEW_INDEX_KEY))], &build_all)
        .await;
    let (status, answer) = testkit::call(post(&app, "addAccount", account)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(
        answer["RESULTARRAY"][0]["accounts"][0]["MESSAGE"],
        json!("Account already exists."),
        "{answer}"
    );
    let business = app
        .internal(
            reqwest::Method::GET,
            "/case/v1/business-records/transaction/TXN-PRIVATE-4410",
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(business.status(), StatusCode::OK);
}

/// A write made while `onboarding rekey` runs is kept: rekey rewrites a
/// row only if it is unchanged since it read it. The write (a party's
/// identifier changed to another validly sealed value, at the party's next
/// version, as an update writes it) is held open until
/// rekey has read the old value and waits to write, then committed. On
/// PostgreSQL the test sees rekey wait on the row's lock; SQLite shows no
/// waiters, so there it waits two seconds (and passes either way: a rekey
/// that reads after the commit reseals the new value).
async fn rekey_keeps_a_write_made_while_it_runs(backend: Backend) {
    use testkit::{KEY_A, KEY_B};
    let names = onboarding::service_names();
    let rotated = format!("{KEY_B},{KEY_A}");
    let mut app =
        testkit::TestApp::spawn(backend, &names, &[("ENCRYPTION_KEYS", KEY_A)], &build_all).await;
    let created = party_with_tax_id(&app, "TX-OLD").await;
    let id = created["id"].as_str().expect("id").to_owned();
    let url = app.vars["PARTY_DATABASE_URL"].clone();
    let mut db = testkit::faults::connect(backend, &url);
    let old = identifier(&mut db, &id);
    app.restart(&[("ENCRYPTION_KEYS", Some(&rotated))], &build_all)
        .await;
    let path = format!("/party/v1/parties/{id}");
    let patched: Value = json_of(
        app.internal(reqwest::Method::PATCH, &path)
            .header("content-type", "application/merge-patch+json")
            .body(json!({"identifiers": [{"type": "taxId", "value": "TX-NEW"}]}).to_string()),
    )
    .await;
    let new = identifier(&mut db, &id);
    // Back to the old row: the new one is what the concurrent write puts.
    set_identifier(&mut db, &id, &old);

    let mut writer = testkit::faults::connect(backend, &url);
    execute_sql(
        &mut writer,
        match backend {
            Backend::Postgres => "BEGIN",
            Backend::Sqlite => "BEGIN IMMEDIATE",
        },
    );
    set_identifier(&mut writer, &id, &new);
    // As an update does: a party is rewritten whole, at a new version.
    execute_sql(
        &mut writer,
        &format!("UPDATE parties SET version = version + 1 WHERE id = '{id}'"),
    );
    let rekey = Command::new(BIN)
        .arg("rekey")
        .envs(&app.vars)
        .env("ENCRYPTION_KEYS", &rotated)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rekey starts");
    match backend {
        Backend::Postgres => wait_for_a_lock_waiter(&mut db),
        Backend::Sqlite => std::thread::sleep(Duration::from_secs(2)),
    }
    execute_sql(&mut writer, "COMMIT");
    let out = rekey.wait_with_output().expect("rekey ends");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    if backend == Backend::Postgres {
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "party: 0 rewritten under key b\ndocument: 0 rewritten under key b\nuser-action: 0 rewritten under key b\ncase: 0 rewritten under key b\n"
        );
    }
    let read: Value = json_of(app.internal(reqwest::Method::GET, &path)).await;
    assert_eq!(read, patched);
}

/// Creates a person with one tax id; the answer.
async fn party_with_tax_id(app: &testkit::TestApp, tax_id: &str) -> Value {
    json_of(
        app.internal(reqwest::Method::POST, "/party/v1/parties")
            .json(
                &json!({"kind": "person", "firstName": "Virat", "lastName": "Kohli",
                      "identifiers": [{"type": "taxId", "value": tax_id}]}),
            ),
    )
    .await
}

/// A stored identifier row: its sealed value and blind index.
#[derive(diesel::QueryableByName, Clone)]
struct StoredIdentifier {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    value_key: Option<String>,
}

/// Runs `sql`, behind the service's back.
fn execute_sql(db: &mut DbConnection, sql: &str) {
    use diesel::connection::SimpleConnection;
    db.batch_execute(sql).expect("executed");
}

/// The first identifier of `party` as stored. (Ids, sealed values and blind
/// indexes are plain ASCII without quotes: safe in a literal.)
fn identifier(db: &mut DbConnection, party: &str) -> StoredIdentifier {
    use diesel::RunQueryDsl;
    diesel::sql_query(format!(
        "SELECT value, value_key FROM party_identifiers WHERE party_id = '{party}' AND position = 0"
    ))
    .get_result(db)
    .expect("an identifier")
}

fn set_identifier(db: &mut DbConnection, party: &str, row: &StoredIdentifier) {
    let key = row
        .value_key
        .as_ref()
        .map_or("NULL".to_owned(), |k| format!("'{k}'"));
    execute_sql(
        db,
        &format!(
            "UPDATE party_identifiers SET value = '{}', value_key = {key} WHERE party_id = '{party}' AND position = 0",
            row.value
        ),
    );
}

/// Waits until a session of this PostgreSQL database waits on a lock.
fn wait_for_a_lock_waiter(db: &mut DbConnection) {
    #[derive(diesel::QueryableByName)]
    struct Waiters {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    use diesel::RunQueryDsl;
    for _ in 0..300 {
        let waiters: Waiters = diesel::sql_query(
            "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .get_result(db)
        .expect("counted");
        if waiters.n > 0 {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("rekey never waited for the held write");
}

/// Sends a request and reads its JSON answer.
async fn json_of(request: reqwest::RequestBuilder) -> Value {
    request
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json")
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The banner's first request, pasted into a shell that has none of the
/// server's environment, is a prospect's profile created through the public
/// CAM API: no token command, variable or header file to prepare (issue 15,
/// point 10).
#[test]
fn the_banners_first_request_works_when_pasted() {
    let served = Served::start(Backend::Sqlite);
    let pasted: String = served
        .banner
        .lines()
        .skip_while(|line| !line.trim_start().starts_with("curl "))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        pasted.contains("/services/data/v1/CustomerActionsManagement/operations/PersonalInfo/createProspectProfile"),
        "{}",
        served.banner
    );
    let out = Command::new("bash")
        .args(["-c", &pasted])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{out:?}");
    let answer: Value = serde_json::from_slice(&out.stdout).expect("a JSON answer");
    let application = answer["Application_id"].as_str().expect("an application");
    let party = answer["Party_Id"].as_str().expect("a party");
    assert_eq!(
        answer,
        json!({"Application_id": application, "Party_Id": party, "httpStatusCode": 200, "opstatus": 0})
    );
    // The generated secret is the owner's alone, like every generated one.
    let secret = served.data_dir.path().join("dev-token-secret");
    let mode = std::fs::metadata(&secret).expect("generated").permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o600
    );
    let (status, _) = served.terminate();
    assert!(status.success());
}

/// `onboarding health`, the image's health check: 0 while a server is
/// ready on `PORT`, 1 with the reason when none answers.
#[test]
fn health_asks_the_server_on_port() {
    let served = Served::start(Backend::Sqlite);
    let port = served.base.rsplit(':').next().expect("a port").to_owned();
    let ask = |port: &str| {
        Command::new(BIN)
            .args(["health", "--probe", "ready"])
            .env("PORT", port)
            .env("RUST_LOG", "off")
            .output()
            .expect("health runs")
    };
    let ready = ask(&port);
    assert!(ready.status.success(), "{ready:?}");
    let (status, _) = served.terminate();
    assert!(status.success());
    let nobody = ask(&port);
    assert_eq!(nobody.status.code(), Some(1));
    let said = String::from_utf8_lossy(&nobody.stderr);
    assert!(
        said.starts_with(&format!(
            "error: error sending request for url (http://127.0.0.1:{port}/health/ready)"
        )),
        "{said}"
    );
}

/// A document stored before sealing (its plaintext, without a header) is
/// sealed by `onboarding rekey` when it is exactly the content recorded;
/// any other header-less object stops the rekey, naming the document, and
/// is never sealed as the document's (issue 17, finding 4).
async fn rekey_seals_only_the_legacy_content_recorded(backend: Backend) {
    use testkit::{KEY_A, KEY_B};
    let names = onboarding::service_names();
    let extra = [("ENCRYPTION_KEYS", KEY_A)];
    let mut app = testkit::TestApp::spawn(backend, &names, &extra, &build_all).await;
    let owner = [("X-Owner-System", "user-action"), ("X-Owner-Subject", "u1")];
    let mut stored = Vec::new();
    for content in [&b"%PDF-1.4\nlegacy one"[..], b"%PDF-1.4\nlegacy two"] {
        let mut upload = app
            .internal(reqwest::Method::POST, "/document/v1/documents")
            .json(
                &json!({"reference": "r", "fileName": "a.pdf", "fileType": "application/pdf",
                          "fileInfo": "", "fileContents": base64_of(content)}),
            );
        for (name, value) in owner {
            upload = upload.header(name, value);
        }
        let document: Value = json_of(upload).await;
        stored.push((
            document["id"].as_str().expect("id").to_owned(),
            content.to_vec(),
        ));
    }
    app.take_server().stop(true).await;
    let objects = testkit::objects::Objects::of(&app.vars);
    objects
        .replace_document(&stored[0].0, stored[0].1.clone())
        .await;
    objects
        .replace_document(&stored[1].0, b"%PDF-1.4\nsomething else".to_vec())
        .await;
    let rotated = format!("{KEY_B},{KEY_A}");
    let rekey = || {
        Command::new(BIN)
            .arg("rekey")
            .envs(&app.vars)
            .env("ENCRYPTION_KEYS", &rotated)
            .output()
            .expect("runs")
    };
    let refused = rekey();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains(&format!(
            "document {}: document content: the object is not sealed, and is not the content recorded for it",
            stored[1].0
        )),
        "{stderr}"
    );
    assert_eq!(
        objects.document(&stored[1].0).await,
        b"%PDF-1.4\nsomething else"
    );

    objects
        .replace_document(&stored[1].0, stored[1].1.clone())
        .await;
    let out = rekey();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Rekey goes by id: the good one was sealed already if it came first.
    // Both rows (their file names) are sealed again on every run.
    let left = if stored[0].0 < stored[1].0 { 3 } else { 4 };
    assert!(
        stdout.contains(&format!("document: {left} rewritten under key b")),
        "{stdout}"
    );
    for (id, _) in &stored {
        assert!(objects.document(id).await.starts_with(b"OBE1\x01b"));
    }
}

/// `onboarding demo`, as the standalone banner prints it (issue 15, point
/// 10): five applications through the public APIs, each at the stage the summary
/// names, as the platform's own listing of applications shows them; and a
/// clear refusal with no server to fill.
async fn demo_fills_the_standalone_run(backend: Backend) {
    let served = Served::start(backend);
    let port = served.base.rsplit(':').next().expect("a port").to_owned();
    let demo = |data_dir: &std::path::Path| {
        Command::new(BIN)
            .arg("demo")
            .env("PORT", &port)
            .env("DATA_DIR", data_dir)
            .env_remove("DEV_MODE")
            .env_remove("JWT_HS256_SECRET")
            .output()
            .expect("demo runs")
    };
    // The banner's command, pasted into a shell with none of serve's
    // environment.
    let pasted = served
        .banner
        .lines()
        .find(|line| line.ends_with(" demo"))
        .unwrap_or_else(|| panic!("a demo command in {}", served.banner));
    let out = Command::new("bash")
        .args(["-c", pasted])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{out:?}");
    let summary = String::from_utf8(out.stdout).expect("text");
    let lines: Vec<&str> = summary.lines().collect();
    assert_eq!(lines[0], "Five applications made through the public APIs:");
    assert_eq!(
        lines[6],
        format!(
            "Open the console at {}/console/ and sign in (development sign-in) as a case worker.",
            served.base
        )
    );
    // Each line: who, their stage, then "(application X, case Y)".
    let made: Vec<(String, String, Option<String>)> = lines[1..6]
        .iter()
        .map(|line| {
            let (said, ids) = line.split_once(" (application ").expect("ids");
            let ids = ids.trim_end_matches(')');
            let (application, case) = match ids.split_once(", case ") {
                Some((a, c)) => (a, Some(c.to_owned())),
                None => (ids, None),
            };
            (said.trim().to_owned(), application.to_owned(), case)
        })
        .collect();
    let said: Vec<&str> = made.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(
        said,
        [
            "Ananya Iyer: started, documents still to send (no case yet)",
            "Rahul Dravid: submitted, its case waiting in the inbox",
            "Priya Sharma: the driving licence sent back with a reason",
            "Virat Kohli: approved by a second analyst (four eyes)",
            "Meera Nair: rejected by a second analyst (four eyes)",
        ]
    );

    // The platform's listing of applications agrees, id for id.
    let listed = json_of(
        reqwest::Client::new()
            .get(format!(
                "{}/user-action/v1/applications?limit=10",
                served.base
            ))
            .header("X-Service-Credential", served.credential())
            .header("X-Acting-Subject", "cli-test"),
    )
    .await;
    let mut shown: Vec<Value> = listed["applications"]
        .as_array()
        .expect("applications")
        .iter()
        .map(|a| {
            let pending: Vec<Value> = a["pendingActions"]
                .as_array()
                .expect("pending")
                .iter()
                .map(|p| json!([p["name"], p["status"], p["reviewComment"]]))
                .collect();
            json!({"id": a["applicationId"], "status": a["status"], "case": a["caseId"],
                   "caseStatus": a["caseStatus"], "applicant": a["applicants"][0]["lastName"],
                   "pending": pending})
        })
        .collect();
    shown.sort_by_key(|a| a["id"].as_str().map(str::to_owned));
    let expected = |i: usize, status: &str, case_status: Value, pending: Value| {
        let (_, application, case) = &made[i];
        let applicant = ["Iyer", "Dravid", "Sharma", "Kohli", "Nair"][i];
        json!({"id": application, "status": status, "case": case, "caseStatus": case_status,
               "applicant": applicant, "pending": pending})
    };
    // The listing knows a case's status from the decisions reported to the
    // application (none yet for a new case, nor for a document sent back),
    // and lists the optional action, never answered, as pending.
    let optional = json!(["OptionalQuestion", "Created", null]);
    let mut wanted = vec![
        expected(
            0,
            "InProgress",
            Value::Null,
            json!([
                ["DriverLicense", "Created", null],
                optional,
                ["TimeOnCurrentAddress", "Created", null]
            ]),
        ),
        expected(1, "UnderReview", Value::Null, json!([optional])),
        expected(
            2,
            "UnderReview",
            Value::Null,
            json!([
                [
                    "DriverLicense",
                    "Rejected",
                    "The photo is blurred; please send a sharper one."
                ],
                optional
            ]),
        ),
        expected(3, "Approved", json!("APR"), json!([optional])),
        expected(4, "Rejected", json!("REJ"), json!([optional])),
    ];
    wanted.sort_by_key(|a| a["id"].as_str().map(str::to_owned));
    assert_eq!(shown, wanted);

    // Pointed at another DATA_DIR, it names the credentials it lacks; with
    // no server on PORT, it says what to start.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let out = demo(elsewhere.path());
    assert!(!out.status.success());
    let credentials = elsewhere.path().join("app-credentials");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("error: cannot read {}: `onboarding demo` fills a standalone run that generated its app credentials (`cargo run --release`, with the same DATA_DIR and no USER_ACTION_APPS): No such file or directory (os error 2)\n", credentials.display())
    );
    let (status, _) = served.terminate();
    assert!(status.success());
    let out = demo(elsewhere.path());
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("error: no ready server answers on http://127.0.0.1:{port}: start one with `cargo run --release` (the same PORT and DATA_DIR)\n")
    );
}
