//! `onboarding demo`: fills a standalone run with applications at each
//! stage, and their cases, through the public APIs only, so that one
//! command shows the whole product (issue 15, point 10).
//!
//! Each applicant calls as a bank's onboarding app would: the generated app
//! credentials (`DATA_DIR/app-credentials`) and a development token
//! (`onboarding token`'s, from the generated secret) on the CAM API. The
//! analysts are two ECM API callers, `demo-analyst-1` recommending and
//! `demo-analyst-2` approving, so four eyes holds whatever
//! `CASE_FOUR_EYES_RISK_THRESHOLD` says. Every applicant gets a subject of
//! their own, so running the demo again adds five more.

use anyhow::{bail, ensure, Context as _};
use base64::Engine as _;
use reqwest::{Client, RequestBuilder};
use serde_json::{json, Value};
use service_kit::ServerConfig;
use std::time::{Duration, Instant};

/// The CAM API's operations.
const CAM: &str = "/services/data/v1/CustomerActionsManagement/operations";
/// The ECM API's case operations.
const ECM: &str = "/rest-api/ECMService/CaseManagementService";
/// How long the demo waits for the platform to carry a step across
/// services (an application to its case, a decision back).
const PATIENCE: Duration = Duration::from_secs(30);

/// How far an applicant gets.
#[derive(Clone, Copy, PartialEq)]
enum Stage {
    /// One document sent, the application not submitted: no case yet.
    Started,
    /// Submitted: a new case waits in the inbox.
    UnderReview,
    /// An analyst rejected the licence with a reason: the applicant is
    /// asked for another.
    SentBack,
    /// Recommended for approval, approved by a second analyst.
    Approved,
    /// Recommended for rejection, rejected by a second analyst.
    Rejected,
}

/// The demo's applicants: first name, last name, date of birth, stage.
const APPLICANTS: [(&str, &str, &str, Stage); 5] = [
    ("Ananya", "Iyer", "1994-03-21", Stage::Started),
    ("Rahul", "Dravid", "1973-01-11", Stage::UnderReview),
    ("Priya", "Sharma", "1988-07-02", Stage::SentBack),
    ("Virat", "Kohli", "1988-11-05", Stage::Approved),
    ("Meera", "Nair", "1991-09-14", Stage::Rejected),
];

impl Stage {
    /// What the summary says of an applicant at this stage.
    fn described(self) -> &'static str {
        match self {
            Stage::Started => "started, documents still to send (no case yet)",
            Stage::UnderReview => "submitted, its case waiting in the inbox",
            Stage::SentBack => "the driving licence sent back with a reason",
            Stage::Approved => "approved by a second analyst (four eyes)",
            Stage::Rejected => "rejected by a second analyst (four eyes)",
        }
    }
}

/// `onboarding demo`: five applications at different stages on the
/// standalone server listening on `PORT` of this machine; what was made,
/// for the operator.
pub async fn demo(config: &ServerConfig) -> anyhow::Result<String> {
    let base = crate::local_base(config);
    let http = Client::builder().timeout(Duration::from_secs(10)).build()?;
    let ready = http.get(format!("{base}/health/ready")).send().await;
    if !ready.is_ok_and(|r| r.status().is_success()) {
        bail!("no ready server answers on {base}: start one with `cargo run --release` (the same PORT and DATA_DIR)");
    }
    let app = AppCredentials::read(config)?;
    let analyst = |n: u8| -> anyhow::Result<String> {
        let roles = [case::caller::READ_ROLE, case::caller::WRITE_ROLE].map(str::to_owned);
        crate::token(
            config,
            None,
            case::NAME,
            &format!("demo-analyst-{n}"),
            &roles,
            None,
        )
    };
    let ecm = Ecm {
        http: http.clone(),
        base: base.clone(),
        recommender: analyst(1)?,
        approver: analyst(2)?,
    };
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mut lines = Vec::new();
    for (i, (first, last, born, stage)) in APPLICANTS.into_iter().enumerate() {
        let subject = format!("demo-{}-{i}", &run[..8]);
        let token = crate::token(config, None, user_action::NAME, &subject, &[], None)?;
        let cam = Cam {
            http: http.clone(),
            base: base.clone(),
            app: app.clone(),
            token,
        };
        let made = walk(&cam, &ecm, (first, last, born), stage)
            .await
            .with_context(|| format!("{first} {last}"))?;
        let case = made.case.map(|c| format!(", case {c}")).unwrap_or_default();
        lines.push(format!(
            "  {first} {last}: {} (application {}{case})",
            stage.described(),
            made.application
        ));
    }
    Ok(format!(
        "Five applications made through the public APIs:\n{}\n\
         Open the console at {base}{}/ and sign in (development sign-in) as a case worker.",
        lines.join("\n"),
        console::BASE
    ))
}

/// What one applicant's walk made.
struct Made {
    application: String,
    case: Option<String>,
}

/// Takes one applicant to `stage`.
async fn walk(
    cam: &Cam,
    ecm: &Ecm,
    person: (&str, &str, &str),
    stage: Stage,
) -> anyhow::Result<Made> {
    let (first, last, born) = person;
    let created = cam
        .call(
            "PersonalInfo/createProspectProfile",
            json!({"FirstName": first, "LastName": last, "DateOfBirth": born,
                   "Email": format!("{}.{}@example.com", first.to_lowercase(), last.to_lowercase()),
                   "MobileCountryCode": "+91", "MobileNumber": "9994305648", "ApplicantType": "Applicant",
                   "ConsentIdentifier": "Create_PersonalInfo_Consent", "AcceptanceStatus": "Yes"}),
        )
        .await?;
    let application = text(&created, "Application_id")?;
    let party = text(&created, "Party_Id")?;
    let action = |name: &str| format!("{name}_{party}_{application}");
    cam.call("UserAction/createPreRequirements", json!({}))
        .await?;
    let payslip = cam
        .answer_with_document(&action("ProofOfIncomeEmployed"), "payslip-march.pdf")
        .await?;
    if stage == Stage::Started {
        return Ok(Made {
            application,
            case: None,
        });
    }
    let licence = cam
        .answer_with_document(&action("DriverLicense"), "licence-photo.pdf")
        .await?;
    cam.submit(&action("TimeOnCurrentAddress"), "2015-06")
        .await?;
    cam.call("UserAction/signalProcess", json!({"Signal": "Submit"}))
        .await?;
    cam.until_status("UnderReview").await?;
    let cases = ecm
        .call(
            &ecm.recommender,
            "getCustomerCases",
            json!({"customerId": party}),
        )
        .await?;
    let case = text(&cases["cases"][0], "caseId")?;
    let review = |document: &str, decision: &str, comments: Option<&str>| json!([{"caseId": case, "evidence": [{"documentId": document, "decision": decision, "comments": comments}]}]);
    let closing =
        |code: &str, why: &str| json!([{"caseId": case, "caseStatusCode": code, "comment": why}]);
    match stage {
        Stage::Started | Stage::UnderReview => {}
        Stage::SentBack => {
            let reason = "The photo is blurred; please send a sharper one.";
            ecm.call(
                &ecm.recommender,
                "reviewEvidence",
                review(&licence, "REJECT", Some(reason)),
            )
            .await?;
            cam.until_action(&action("DriverLicense"), "Rejected")
                .await?;
        }
        Stage::Approved | Stage::Rejected => {
            let (code, status, why) = if stage == Stage::Approved {
                (
                    "APR",
                    "Approved",
                    "Income and identity verified against the documents.",
                )
            } else {
                ("REJ", "Rejected", "The income could not be verified.")
            };
            for document in [&payslip, &licence] {
                ecm.call(
                    &ecm.recommender,
                    "reviewEvidence",
                    review(document, "ACCEPT", None),
                )
                .await?;
            }
            ecm.call(&ecm.recommender, "recommendCaseStatus", closing(code, why))
                .await?;
            let agreed = format!("Agreed: {why}");
            ecm.call(&ecm.approver, "updateCaseStatus", closing(code, &agreed))
                .await?;
            cam.until_status(status).await?;
        }
    }
    Ok(Made {
        application,
        case: Some(case),
    })
}

/// The string `field` of `body`.
fn text(body: &Value, field: &str) -> anyhow::Result<String> {
    body[field]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("no {field} in {body}"))
}

/// Asks `probe` every 200 ms until it gives a value, for at most
/// [`PATIENCE`].
async fn eventually<F, Fut>(what: &str, mut probe: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    let started = Instant::now();
    while !probe().await? {
        ensure!(
            started.elapsed() < PATIENCE,
            "{what} did not happen within {PATIENCE:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

/// The standalone run's generated CAM app credentials: the header file
/// its banner's request sends.
#[derive(Clone)]
struct AppCredentials {
    key: String,
    secret: String,
}

impl AppCredentials {
    fn read(config: &ServerConfig) -> anyhow::Result<Self> {
        let path = config.data_dir.join(user_action::APP_CREDENTIALS_FILE);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read {}: `onboarding demo` fills a standalone run that generated its app credentials (`cargo run --release`, with the same DATA_DIR and no USER_ACTION_APPS)",
                path.display()
            )
        })?;
        let header = |name| {
            user_action::credentials_file_value(&text, name)
                .map(str::to_owned)
                .with_context(|| format!("{} has no {name} line", path.display()))
        };
        Ok(Self {
            key: header(user_action::APP_KEY)?,
            secret: header(user_action::APP_SECRET)?,
        })
    }
}

/// An applicant on the CAM API, through their bank's app.
struct Cam {
    http: Client,
    base: String,
    app: AppCredentials,
    token: String,
}

impl Cam {
    /// Posts `body` to `operation`; its answer, when 200.
    async fn call(&self, operation: &str, body: Value) -> anyhow::Result<Value> {
        let request = self
            .http
            .post(format!("{}{CAM}/{operation}", self.base))
            .header(user_action::APP_KEY, &self.app.key)
            .header(user_action::APP_SECRET, &self.app.secret)
            .header("X-Kony-Authorization", &self.token)
            .json(&body);
        answer(operation, request).await
    }

    /// Uploads a small PDF named `file_name` to `action` and submits the
    /// action; the document's id.
    async fn answer_with_document(&self, action: &str, file_name: &str) -> anyhow::Result<String> {
        let contents = base64::engine::general_purpose::STANDARD.encode(sample_pdf(file_name));
        let uploaded = self
            .call(
                "UserAction/uploadDocument",
                json!({"UserActionIdentifier": action, "Response": [{
                    "fileName": file_name, "fileType": "application/pdf", "fileInfo": "",
                    "fileClientId": 1, "fileContents": contents}]}),
            )
            .await?;
        self.submit(action, "").await?;
        text(&uploaded["Response"][0], "documentId")
    }

    /// Sends `response` to `action` and submits it.
    async fn submit(&self, action: &str, response: &str) -> anyhow::Result<()> {
        let update =
            json!({"UserActionIdentifier": action, "Response": response, "Status": "Submitted"});
        self.call("UserAction/updateUserAction", update)
            .await
            .map(drop)
    }

    /// The applicant's listing of actions, with the application's status.
    async fn listing(&self) -> anyhow::Result<Value> {
        self.call("UserAction/getUserActions", json!({"isPre": "true"}))
            .await
    }

    /// Waits until the application's status is `status`.
    async fn until_status(&self, status: &str) -> anyhow::Result<()> {
        eventually(&format!("the application {status}"), || async {
            Ok(self.listing().await?["ApplicationStatus"] == status)
        })
        .await
    }

    /// Waits until `action`'s status is `status`.
    async fn until_action(&self, action: &str, status: &str) -> anyhow::Result<()> {
        eventually(&format!("{action} {status}"), || async {
            let listing = self.listing().await?;
            let found = listing
                .as_object()
                .into_iter()
                .flat_map(|o| o.values())
                .filter_map(Value::as_array)
                .flatten()
                .any(|a| a["UserActionIdentifier"] == action && a["UserActionStatus"] == status);
            Ok(found)
        })
        .await
    }
}

/// The analysts on the ECM API.
struct Ecm {
    http: Client,
    base: String,
    /// `demo-analyst-1`'s token: reviews and recommends.
    recommender: String,
    /// `demo-analyst-2`'s token: approves what the first recommended.
    approver: String,
}

impl Ecm {
    /// Posts `body` to `operation` with `token`; its answer, when 200.
    async fn call(&self, token: &str, operation: &str, body: Value) -> anyhow::Result<Value> {
        let request = self
            .http
            .post(format!("{}{ECM}/{operation}", self.base))
            .bearer_auth(token)
            .json(&body);
        answer(operation, request).await
    }
}

/// Sends `request`; its JSON answer when 200, else an error naming
/// `operation` with the answer.
async fn answer(operation: &str, request: RequestBuilder) -> anyhow::Result<Value> {
    let response = request.send().await.with_context(|| operation.to_owned())?;
    let status = response.status();
    let body: Value = response
        .json()
        .await
        .with_context(|| format!("{operation} answered {status} without JSON"))?;
    ensure!(status.is_success(), "{operation} answered {status}: {body}");
    Ok(body)
}

/// A one-page PDF saying `title`: what the demo's applicants upload.
fn sample_pdf(title: &str) -> Vec<u8> {
    let text = format!("BT /F1 18 Tf 72 720 Td (Onboarding demo: {title}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        pdf.extend(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}
