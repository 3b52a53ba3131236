//! The hostile-input tables: the APIs, each with one JSON operation and a
//! valid body whose marker field the cases fill with something hostile,
//! and the answer each API owes each case, in its own envelope.

use super::cam::{b64, cam_vars, ecm_token, pdf_bytes, seed_create_prospect, Cam};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};
use testkit::{Backend, TestApp};

/// The ECM case every ECM request adds customers to.
pub const CASE: &str = "CA-HOSTILE";
/// Where the ECM operations live.
/// Where the ECM operations are.
pub const ECM: &str = "/rest-api/ECMService/CaseManagementService";
/// The owner of the documents uploaded straight to document-service.
const OWNER: (&str, &str) = ("user-action", "hostile");
/// Stands for the hostile value in a template (quotes included).
const MARKER: &str = "\"__HOSTILE__\"";
/// Stands for the deeply nested value where an API takes free-form JSON.
const DEEP: &str = "\"__DEEP__\"";

/// One API under test, through one of its JSON operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// party-service: `POST /party/v1/parties`.
    Party,
    /// document-service: `POST /document/v1/documents`.
    Document,
    /// The CAM API: `createProspectProfile`.
    Cam,
    /// The ECM API: `addCustomer`.
    Ecm,
}

/// Strings that must be stored verbatim or refused, never interpreted.
const HOSTILE_STRINGS: &[&str] = &[
    "'; DROP TABLE parties; --",
    "Robert'); DELETE FROM documents WHERE ('1'='1",
    "1' OR '1'='1' --",
    "\\'; SELECT pg_sleep(10); --",
    "../../../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
];

impl Api {
    /// Every API.
    pub const ALL: [Api; 4] = [Api::Party, Api::Document, Api::Cam, Api::Ecm];

    /// A valid body with `value` (raw JSON text) in the marker field.
    fn body(self, value: &str) -> Vec<u8> {
        self.template().replace(MARKER, value).into_bytes()
    }

    /// A body with `deep` where the API takes free-form JSON (in the marker
    /// field where it takes none: there the first level is refused).
    fn deep_body(self, deep: &str) -> Vec<u8> {
        let template = self.template();
        if template.contains(DEEP) {
            template
                .replace(DEEP, deep)
                .replace(MARKER, "\"Virat\"")
                .into_bytes()
        } else {
            template.replace(MARKER, deep).into_bytes()
        }
    }

    /// A valid body, as text, with the marker in one string field.
    fn template(self) -> String {
        let body = match self {
            Api::Party => {
                json!({"kind": "person", "firstName": "__HOSTILE__", "lastName": "Kohli", "dateOfBirth": "1985-10-10"})
            }
            Api::Document => {
                json!({"reference": "__HOSTILE__", "fileName": "proof.pdf", "fileType": "application/pdf",
                                    "fileInfo": "", "fileClientId": "__DEEP__", "fileContents": b64(&pdf_bytes())})
            }
            Api::Cam => {
                let mut body = seed_create_prospect();
                body["FirstName"] = json!("__HOSTILE__");
                body
            }
            Api::Ecm => {
                let mut customer = ecm_customer("__HOSTILE__");
                customer["genericInformation"] = json!({"note": "__DEEP__"});
                json!([{"caseId": CASE, "customers": [customer]}])
            }
        };
        body.to_string()
    }

    /// The marker field's name, as the body spells it.
    fn marker_field(self) -> &'static str {
        match self {
            Api::Party => "firstName",
            Api::Document => "reference",
            Api::Cam => "FirstName",
            Api::Ecm => "customerId",
        }
    }

    /// Whether `body` is a refusal in this API's envelope, with `status`.
    fn is_refusal(self, status: StatusCode, body: &Value) -> bool {
        let keys = |o: &Value| {
            let mut k: Vec<String> = o
                .as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            k.sort();
            k
        };
        match self {
            Api::Party | Api::Document => {
                body["status"] == json!(status.as_u16())
                    && body["type"]
                        .as_str()
                        .is_some_and(|t| t.starts_with("urn:onboarding:problem:"))
                    && body["detail"].is_string()
            }
            Api::Cam => {
                keys(body) == ["dbpErrCode", "dbpErrMsg", "httpStatusCode", "opstatus"]
                    && body["httpStatusCode"] == json!(status.as_u16())
            }
            // A refused customer is named in RESULTARRAY.
            Api::Ecm => {
                body["STATUS"] == "FAILED"
                    && (keys(body) == ["MESSAGE", "STATUS"]
                        || keys(body) == ["MESSAGE", "RESULTARRAY", "STATUS"])
            }
        }
    }

    /// The answer to a file named `../../etc/passwd.pdf`.
    pub fn file_name_refusal(self) -> Value {
        expected(self, "traversing file name").1
    }
}

/// A valid ECM customer with the id `id`.
pub fn ecm_customer(id: &str) -> Value {
    json!({"customerId": id, "businessAdd": "N", "customerTypeCode": "IND", "firstName": "Test",
           "lastName": "Hostile", "dateOfBirth": "1980-01-31", "pepFlagCode": "N", "effectiveRisk": 3})
}

/// The whole app, with a CAM user who has an application and an ECM case.
pub struct Hostile {
    /// The app.
    pub app: TestApp,
    cam: Cam,
    /// The CAM action documents are uploaded to.
    proof: String,
    ecm_token: String,
}

/// One hostile request: its name, content type and body.
struct Case {
    name: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
}

/// The cases, for `api`.
fn cases(api: Api) -> Vec<Case> {
    let json = "application/json";
    let small = |name, content_type, body: Vec<u8>| Case {
        name,
        content_type,
        body,
    };
    let deep = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    let mut invalid_utf8 = api.body("\"Vir\u{1}at\"");
    let at = invalid_utf8
        .iter()
        .position(|b| *b == 1)
        .expect("the marker byte");
    invalid_utf8[at] = 0xff;
    let duplicate = format!("\"Virat\", \"{}\": \"Other\"", api.marker_field());
    vec![
        small("100 MB body", json, vec![b' '; 100 * 1024 * 1024]),
        small("nested 10,000 deep", json, api.deep_body(&deep)),
        small("invalid UTF-8", json, invalid_utf8),
        small("NUL byte in a string", json, api.body("\"Vir\\u0000at\"")),
        small("duplicate keys", json, api.body(&duplicate)),
        small("number out of range", json, api.body("1e400")),
        small(
            "integer out of range",
            json,
            api.body("-99999999999999999999999"),
        ),
        small(
            "a form body",
            "application/x-www-form-urlencoded",
            b"firstName=Virat&lastName=Kohli".to_vec(),
        ),
    ]
}

/// The answer `api` owes the case `name`: status and whole body.
fn expected(api: Api, name: &str) -> (StatusCode, Value) {
    let bad = StatusCode::BAD_REQUEST;
    let field = api.marker_field();
    match (api, name) {
        (Api::Party | Api::Document, "a form body") => {
            let types = if api == Api::Party {
                "application/json"
            } else {
                "application/json or multipart/form-data"
            };
            (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                plain(
                    "unsupported-media-type",
                    "Unsupported media type",
                    415,
                    &format!("the body must be {types}"),
                ),
            )
        }
        (Api::Cam, "a form body") => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            cam(415, 10004, "body: must be application/json"),
        ),
        (Api::Ecm, "a form body") => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ecm("Unsupported media type. The body must be application/json."),
        ),
        (Api::Party, "100 MB body") => (
            StatusCode::PAYLOAD_TOO_LARGE,
            plain(
                "too-large",
                "The body is too large",
                413,
                "the body exceeds 262144 bytes",
            ),
        ),
        (Api::Document, "100 MB body") => (
            StatusCode::PAYLOAD_TOO_LARGE,
            problem(
                "file-too-large",
                "A rule was broken",
                413,
                "fileContents",
                "must not exceed 2097152 bytes",
            ),
        ),
        (Api::Cam, "100 MB body") => (
            StatusCode::PAYLOAD_TOO_LARGE,
            cam(413, 10005, "body: must not exceed 262144 bytes"),
        ),
        (Api::Ecm, "100 MB body") => (
            StatusCode::PAYLOAD_TOO_LARGE,
            ecm("The request body exceeds 8388608 bytes."),
        ),
        (Api::Document, "nested 10,000 deep") => {
            api.refusal(bad, "body: is not valid JSON: recursion limit exceeded")
        }
        (Api::Ecm, "nested 10,000 deep" | "invalid UTF-8" | "duplicate keys") => (
            bad,
            ecm("Invalid JSON Input format. Please correct the data."),
        ),
        (Api::Ecm, "NUL byte in a string") => ecm_customer_refused(
            "Vir\u{0}at",
            "Invalid customerId: must not contain control characters.",
        ),
        // serde_json's `arbitrary_precision` (on for exact amounts) keeps a
        // number's text: one beyond a double's range is a number like any
        // other, refused by the field's own type.
        (Api::Ecm, "number out of range" | "integer out of range") => ecm_customer_refused(
            Value::Null,
            "Invalid customerId: invalid type: number, expected a string.",
        ),
        (_, "nested 10,000 deep") => api.refusal(
            bad,
            &format!("{field}: invalid type: map, expected a string"),
        ),
        (_, "invalid UTF-8") => {
            api.refusal(bad, "body: is not valid JSON: invalid unicode code point")
        }
        (_, "NUL byte in a string") => api.refusal(
            bad,
            &format!("{field}: must not contain control characters"),
        ),
        (_, "duplicate keys") => api.refusal(bad, &format!("body: duplicate field `{field}`")),
        (_, "number out of range" | "integer out of range") => api.refusal(
            bad,
            &format!("{field}: invalid type: number, expected a string"),
        ),
        (Api::Document, "traversing file name") => (
            bad,
            problem(
                "file-name-characters",
                "A rule was broken",
                400,
                "fileName",
                FILE_NAME_RULE,
            ),
        ),
        (Api::Cam, "traversing file name") => (
            bad,
            cam(
                400,
                10401,
                &format!("Response[0].fileName: {FILE_NAME_RULE}"),
            ),
        ),
        _ => panic!("no expected answer for {api:?} / {name}"),
    }
}

/// The file-name rule's message.
const FILE_NAME_RULE: &str =
    "cannot contain any of these characters: , * | : \" < > ? / \\ [ ] % = ;";

impl Api {
    /// A 400 for bad input in this API's envelope: `message` is the
    /// problem's `detail` and the Fabric `dbpErrMsg`.
    fn refusal(self, status: StatusCode, message: &str) -> (StatusCode, Value) {
        let body = match self {
            Api::Party | Api::Document => {
                let (field, text) = message.split_once(": ").expect("field: message");
                problem("invalid-input", "The request is invalid", 400, field, text)
            }
            // 10001: the body as a whole; 10003: a field.
            Api::Cam if message.starts_with("body: ") => cam(400, 10001, message),
            Api::Cam => cam(400, 10003, message),
            Api::Ecm => ecm(message),
        };
        (status, body)
    }
}

/// A problem+json body without field errors.
fn plain(slug: &str, title: &str, status: u16, detail: &str) -> Value {
    json!({"type": format!("urn:onboarding:problem:{slug}"), "title": title, "status": status, "detail": detail})
}

/// A problem+json body naming one field.
fn problem(slug: &str, title: &str, status: u16, field: &str, message: &str) -> Value {
    json!({"type": format!("urn:onboarding:problem:{slug}"), "title": title, "status": status,
           "detail": format!("{field}: {message}"), "errors": [{"field": field, "message": message}]})
}

/// A Fabric error body.
fn cam(status: u16, code: u32, message: &str) -> Value {
    super::cam::fabric_error(status, code, message)
}

/// An ECM refusal of the whole request.
fn ecm(message: &str) -> Value {
    json!({"MESSAGE": message, "STATUS": "FAILED"})
}

/// The ECM answer when the one customer sent is refused.
fn ecm_customer_refused(id: impl Into<Value>, message: &str) -> (StatusCode, Value) {
    let failed = "Customers addition failed.";
    (
        StatusCode::BAD_REQUEST,
        json!({"MESSAGE": failed, "STATUS": "FAILED", "RESULTARRAY": [{"MESSAGE": failed, "STATUS": "FAILED", "caseId": CASE,
               "customers": [{"MESSAGE": message, "STATUS": "FAILED", "customerId": id.into()}]}]}),
    )
}

impl Hostile {
    /// Starts every service on `backend` and prepares the callers.
    pub async fn spawn(backend: Backend) -> Self {
        let vars = cam_vars();
        let extra: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let app = TestApp::spawn(
            backend,
            &onboarding::service_names(),
            &extra,
            &|ctx, vars| onboarding::build_all(&onboarding::service_names(), ctx, Some(vars)),
        )
        .await;
        let cam = Cam::new(&app.url, &format!("applicant-{}", uuid::Uuid::new_v4()));
        let (status, created) = cam
            .call(
                "PersonalInfo/createProspectProfile",
                &seed_create_prospect(),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{created}");
        let (status, prereqs) = cam
            .call("UserAction/createPreRequirements", &json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{prereqs}");
        let proof = prereqs["Income"][0]["UserActionIdentifier"]
            .as_str()
            .expect("an income action")
            .to_owned();
        let hostile = Self {
            ecm_token: ecm_token("analyst-hostile", &["case:write", "case:read"]),
            app,
            cam,
            proof,
        };
        let (status, cases) = hostile
            .ecm("createCase", json!([{"caseId": CASE}]).to_string())
            .await;
        assert_eq!(status, StatusCode::OK, "{cases}");
        hostile
    }

    /// A POST to `api`'s operation, with its credentials.
    fn request(&self, api: Api, subject: &str) -> RequestBuilder {
        match api {
            Api::Party => self.app.internal(Method::POST, "/party/v1/parties"),
            Api::Document => self.document(Method::POST, "/document/v1/documents"),
            Api::Cam => {
                Cam::new(&self.app.url, subject).request("PersonalInfo/createProspectProfile")
            }
            Api::Ecm => self
                .app
                .anonymous(Method::POST, &format!("{ECM}/addCustomer"))
                .bearer_auth(&self.ecm_token),
        }
    }

    fn document(&self, method: Method, path: &str) -> RequestBuilder {
        self.app
            .internal(method, path)
            .header("X-Owner-System", OWNER.0)
            .header("X-Owner-Subject", OWNER.1)
    }

    /// Posts raw `body` to the ECM operation `op`.
    pub async fn ecm(&self, op: &str, body: String) -> (StatusCode, Value) {
        let request = self
            .app
            .anonymous(Method::POST, &format!("{ECM}/{op}"))
            .bearer_auth(&self.ecm_token)
            .header("content-type", "application/json")
            .body(body);
        answer(request).await
    }

    /// Every customer of the ECM case, page by page.
    async fn case_customers(&self) -> Vec<Value> {
        let mut all = Vec::new();
        let mut request = json!({"caseId": CASE, "limit": 100});
        loop {
            let (status, page) = self.ecm("getCaseDetails", request.to_string()).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            all.extend(page["customers"].as_array().cloned().unwrap_or_default());
            request["cursor"] = page["nextCursor"].clone();
            if request["cursor"].is_null() {
                return all;
            }
        }
    }

    /// Posts `body` to createPreRequirements as the prepared CAM user.
    pub async fn pre_requirements(&self, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
        answer(
            self.cam
                .request("UserAction/createPreRequirements")
                .header("content-type", content_type)
                .body(body),
        )
        .await
    }

    /// Uploads a PDF named `name` through `api` (document or CAM).
    pub async fn upload(&self, api: Api, name: &str) -> (StatusCode, Value) {
        self.upload_with(api, name, "").await
    }

    /// Uploads a PDF named `name` with `info` through `api` (document or CAM).
    pub async fn upload_with(&self, api: Api, name: &str, info: &str) -> (StatusCode, Value) {
        let file = json!({"fileName": name, "fileType": "application/pdf", "fileInfo": info,
                          "fileClientId": 1, "fileContents": b64(&pdf_bytes())});
        match api {
            Api::Cam => {
                let body = json!({"UserActionIdentifier": self.proof, "Response": [file]});
                self.cam.call("UserAction/uploadDocument", &body).await
            }
            _ => {
                let mut body = file;
                body["reference"] = json!("hostile");
                answer(
                    self.document(Method::POST, "/document/v1/documents")
                        .json(&body),
                )
                .await
            }
        }
    }

    /// Files named like `passwd` anywhere but in the document store.
    pub fn files_outside_the_store(&self) -> Vec<String> {
        let data = std::path::PathBuf::from(&self.app.vars["DATA_DIR"]);
        let mut found: Vec<String> = ["/etc/passwd.pdf", "/tmp/etc/passwd.pdf"]
            .iter()
            .filter(|p| std::path::Path::new(p).exists())
            .map(|p| p.to_string())
            .collect();
        let mut dirs = vec![data.parent().expect("a parent").to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() && path.starts_with(&data) {
                    dirs.push(path);
                } else if path.to_string_lossy().contains("passwd") {
                    found.push(path.display().to_string());
                }
            }
        }
        found
    }

    /// Whether `api` is still ready and still serves a valid request.
    pub async fn still_healthy(&self, api: Api) -> Vec<String> {
        let mut failures = Vec::new();
        let ready = self
            .app
            .anonymous(Method::GET, "/health/ready")
            .send()
            .await;
        if !ready.is_ok_and(|r| r.status() == StatusCode::OK) {
            failures.push(format!("{api:?}: not ready afterwards"));
        }
        let fresh = format!(
            "\"Fresh{}\"",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let (status, body) = self
            .send(api, &fresh_subject(), "application/json", api.body(&fresh))
            .await;
        if !status.is_success() {
            failures.push(format!(
                "{api:?}: a valid request afterwards got {status} {body}"
            ));
        }
        failures
    }

    /// Sends `body` to `api`'s operation (as the CAM end user `subject`).
    async fn send(
        &self,
        api: Api,
        subject: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        answer(
            self.request(api, subject)
                .header("content-type", content_type)
                .body(body),
        )
        .await
    }

    /// What `api` answers of the success `created` (for the CAM end user
    /// `subject`: the party and the audit trail).
    async fn read_back(&self, api: Api, subject: &str, created: &Value) -> Value {
        let request = match api {
            Api::Party => self.app.internal(
                Method::GET,
                &format!("/party/v1/parties/{}", created["id"].as_str().unwrap_or("")),
            ),
            Api::Cam => {
                let party = format!(
                    "/party/v1/parties/{}",
                    created["Party_Id"].as_str().unwrap_or("")
                );
                let (_, party) = answer(self.app.internal(Method::GET, &party)).await;
                let (_, audit) = Cam::new(&self.app.url, subject)
                    .call("Audit/getAuditEvents", &json!({}))
                    .await;
                return json!([party, audit]);
            }
            Api::Document => self.document(
                Method::GET,
                &format!(
                    "/document/v1/documents/{}",
                    created["id"].as_str().unwrap_or("")
                ),
            ),
            Api::Ecm => return Value::Array(self.case_customers().await),
        };
        answer(request).await.1
    }
}

/// A new CAM end user.
fn fresh_subject() -> String {
    format!("applicant-{}", uuid::Uuid::new_v4())
}

/// Fields stored but read back by no operation (the application's own
/// fields): for them the sweep shows only that they are taken as data.
const WRITE_ONLY: &[(Api, &str)] = &[
    (Api::Cam, "/BranchReference"),
    (Api::Cam, "/SectionProgress"),
];

/// Fields taken and never kept (an application's status is the server's
/// to set, whether its applicant is a customer the bank's to establish):
/// for them the sweep checks that no read shows what was sent.
const IGNORED: &[(Api, &str)] = &[(Api::Cam, "/Status"), (Api::Cam, "/IsExistingCustomer")];

/// Sends `request` (bounded by a timeout); the status and the JSON body
/// (`null` when not JSON, the transport error as a string when none came).
async fn answer(request: RequestBuilder) -> (StatusCode, Value) {
    match request
        .timeout(std::time::Duration::from_secs(60))
        .send()
        .await
    {
        Ok(response) => {
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            (
                status,
                serde_json::from_str(&text).unwrap_or(json!({"not JSON": text})),
            )
        }
        Err(e) => (
            StatusCode::IM_A_TEAPOT,
            json!({"transport error": format!("{e:?}")}),
        ),
    }
}

/// Runs the table of cases against `api`; one line per mismatch.
pub async fn run_cases(hostile: &Hostile, api: Api) -> Vec<String> {
    let mut failures = Vec::new();
    for case in cases(api) {
        let got = hostile
            .send(api, &fresh_subject(), case.content_type, case.body)
            .await;
        let want = expected(api, case.name);
        if got != want {
            failures.push(format!(
                "{api:?} / {}:\n  got  {} {}\n  want {} {}",
                case.name, got.0, got.1, want.0, want.1
            ));
        }
    }
    failures
}

/// Every string field of `api`'s body, set to each hostile string: each is
/// refused in the envelope, or stored and read back verbatim.
pub async fn injection_sweep(hostile: &Hostile, api: Api) -> Vec<String> {
    let mut failures = Vec::new();
    let template: Value = serde_json::from_slice(&api.body("\"Virat\"")).expect("a valid template");
    for pointer in string_fields(&template, "") {
        if pointer == "/0/caseId" {
            continue; // a case that does not exist is a per-item answer, not a field
        }
        for evil in HOSTILE_STRINGS {
            let mut body = template.clone();
            *body.pointer_mut(&pointer).expect("the field") = json!(evil);
            if api == Api::Ecm && pointer != "/0/customers/0/customerId" {
                body[0]["customers"][0]["customerId"] = json!(uuid::Uuid::new_v4().to_string());
            }
            let subject = fresh_subject();
            let (status, answer) = hostile
                .send(
                    api,
                    &subject,
                    "application/json",
                    body.to_string().into_bytes(),
                )
                .await;
            let field = (api, pointer.as_str());
            let ok = if status.is_success() && IGNORED.contains(&field) {
                !holds(&hostile.read_back(api, &subject, &answer).await, evil)
            } else if status.is_success() {
                WRITE_ONLY.contains(&field)
                    || holds(&hostile.read_back(api, &subject, &answer).await, evil)
            } else {
                status.is_client_error() && api.is_refusal(status, &answer)
            };
            if !ok {
                failures.push(format!("{api:?} {pointer} = {evil:?}: {status} {answer}"));
            }
        }
    }
    failures
}

/// JSON pointers to every string in `value`.
fn string_fields(value: &Value, at: &str) -> Vec<String> {
    match value {
        Value::String(_) => vec![at.to_owned()],
        Value::Array(items) => items
            .iter()
            .enumerate()
            .flat_map(|(i, v)| string_fields(v, &format!("{at}/{i}")))
            .collect(),
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| string_fields(v, &format!("{at}/{k}")))
            .collect(),
        _ => vec![],
    }
}

/// Whether `evil` is somewhere in `stored`, verbatim.
fn holds(stored: &Value, evil: &str) -> bool {
    match stored {
        Value::String(s) => s == evil,
        Value::Array(items) => items.iter().any(|v| holds(v, evil)),
        Value::Object(map) => map.values().any(|v| holds(v, evil)),
        _ => false,
    }
}
