//! The case workers' story in a real browser (issue 15, points 7 and 9):
//! every service in one process (SQLite), the console signing analysts in
//! through a real OpenID provider, headless Chromium driving it, and the
//! applicant on the CAM API. An application opens a case; analyst-1 finds
//! it by filter, takes its lock and rejects a document with a reason; the
//! applicant sees why and sends another; analyst-1 accepts it and
//! recommends approval, which they cannot approve themselves; analyst-2
//! meets the lock read-only, takes the case after analyst-1 is done and
//! approves; the applicant sees `Approved`. A `case:read` viewer sees no action button.
//! axe checks every screen met (0 violations), and each is pictured
//! (`docs/console/` with `UPDATE_SCREENSHOTS=1`).
//!
//! On both backends: every service's databases on SQLite, then on
//! PostgreSQL, the story the same.

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::applicant::{answer_again, answer_with_document, listing, submit_action};
use support::cam::{cam_vars, ecm_token, seed_create_prospect, Cam};
use testkit::browser::{screenshot, Browser};
use testkit::idp::{self, Idp};
use testkit::{eventually, Backend, TestApp};
use thirtyfour::prelude::*;

const ECM: &str = "/rest-api/ECMService/CaseManagementService";

/// Every service on `backend`, the console configured for a provider on
/// `port`, four eyes from an effective risk of 70, deliveries retried
/// quickly.
async fn spawn(backend: Backend, port: u16) -> TestApp {
    let mut vars = cam_vars();
    vars.extend(
        idp::console_vars(port)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v)),
    );
    vars.extend(
        [
            ("CASE_FOUR_EYES_RISK_THRESHOLD", "70"),
            ("OUTBOX_BACKOFF_MIN_MS", "100"),
            ("OUTBOX_BACKOFF_MAX_SECS", "1"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    let extra: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    TestApp::spawn(
        backend,
        &onboarding::service_names(),
        &extra,
        &|ctx, vars| onboarding::build_all(&onboarding::service_names(), ctx, Some(vars)),
    )
    .await
}

/// The applicant's application, submitted with two documents: the case's
/// id, and the licence's action identifier.
async fn submitted_application(app: &TestApp, cam: &Cam) -> (String, String) {
    let (status, created) = cam
        .call(
            "PersonalInfo/createProspectProfile",
            &seed_create_prospect(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let application = created["Application_id"].as_str().expect("id").to_owned();
    let party = created["Party_Id"].as_str().expect("party").to_owned();
    let id = |name: &str| format!("{name}_{party}_{application}");
    let (status, _) = cam
        .call("UserAction/createPreRequirements", &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    answer_with_document(cam, &id("ProofOfIncomeEmployed"), "payslip-march.pdf").await;
    answer_with_document(cam, &id("DriverLicense"), "licence-photo.pdf").await;
    submit_action(cam, &id("TimeOnCurrentAddress"), "2015-06").await;
    let (status, body) = cam
        .call("UserAction/signalProcess", &json!({"Signal": "Submit"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    eventually("the application under review", || async {
        (listing(cam).await["ApplicationStatus"] == "UnderReview").then_some(())
    })
    .await;
    let found = ecm(app, "getCustomerCases", &json!({"customerId": party})).await;
    let case = found["cases"][0]["caseId"]
        .as_str()
        .unwrap_or_else(|| panic!("a case: {found}"))
        .to_owned();
    (case, id("DriverLicense"))
}

/// ECM operation `op` as a case worker, asserting it succeeded.
async fn ecm(app: &TestApp, op: &str, body: &Value) -> Value {
    let token = ecm_token("story", &["case:read", "case:write"]);
    let (status, answer) = testkit::call(
        reqwest::Client::new()
            .post(format!("{}{ECM}/{op}", app.url))
            .bearer_auth(token)
            .json(body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{op}: {answer}");
    answer
}

/// The file names of case `case`'s evidence.
async fn evidence_names(app: &TestApp, case: &str) -> Vec<String> {
    let details = ecm(app, "getCaseDetails", &json!({"caseId": case})).await;
    details["application"]["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .map(|e| e["fileName"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Waits (at most ten seconds) until `probe` holds on the page.
async fn until<F, Fut>(what: &str, mut probe: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !probe().await {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never on the page: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The text of the page's `<main>`.
async fn main_text(driver: &WebDriver) -> String {
    match driver.find(By::Id("main")).await {
        Ok(main) => main.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Waits until `<main>` contains `text`.
async fn shows(driver: &WebDriver, text: &str) {
    until(text, || async { main_text(driver).await.contains(text) }).await;
}

/// Clicks the element `by`.
async fn click(driver: &WebDriver, by: By) {
    let what = format!("{by:?}");
    driver
        .find(by)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"))
        .click()
        .await
        .expect("clicked");
}

/// Clicks the button whose text is `text`.
async fn press(driver: &WebDriver, text: &str) {
    click(
        driver,
        By::XPath(format!("//button[normalize-space()='{text}']")),
    )
    .await;
}

/// Types `text` into the field labelled `label`.
async fn fill(driver: &WebDriver, label: &str, text: &str) {
    let field = driver
        .find(By::XPath(format!(
            "//*[@id=//label[normalize-space()='{label}']/@for]"
        )))
        .await
        .unwrap_or_else(|e| panic!("a field labelled {label:?}: {e}"));
    field.clear().await.expect("cleared");
    field.send_keys(text).await.expect("typed");
}

/// Checks `screen` with axe and pictures it as `name`.
async fn checked(driver: &WebDriver, screen: &str, name: &str) {
    Browser::assert_accessible(driver, screen).await;
    screenshot(driver, name).await;
}

/// Checks `screen` with axe and pictures it as `name`, scrolled to the
/// element `id` (what the picture is about, below the case's header).
async fn checked_at(driver: &WebDriver, screen: &str, name: &str, id: &str) {
    Browser::assert_accessible(driver, screen).await;
    driver
        .find(By::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .scroll_into_view()
        .await
        .expect("scrolled");
    screenshot(driver, name).await;
}

/// A browser signed in as `login` through the provider.
async fn signed_in(app: &TestApp, login: &str, name: &str) -> WebDriver {
    let driver = Browser::shared().session().await;
    driver
        .goto(format!("{}/console/auth/login", app.url))
        .await
        .expect("opened");
    Idp::sign_in(&driver, login).await;
    let h1 = format!("Welcome, {name}");
    until(&h1, || async {
        match driver.find(By::Tag("h1")).await {
            Ok(h) => h.text().await.unwrap_or_default() == h1,
            Err(_) => false,
        }
    })
    .await;
    driver
}

/// Opens tab `label` of the case page.
async fn tab(driver: &WebDriver, label: &str) {
    click(
        driver,
        By::XPath(format!(
            "//nav[@aria-label='Case details']//a[normalize-space()='{label}']"
        )),
    )
    .await;
    until(label, || async {
        match driver.find(By::Id("tab-heading")).await {
            Ok(h) => h.text().await.unwrap_or_default().starts_with(label),
            Err(_) => false,
        }
    })
    .await;
}

/// The story, named `browser_story::…` so that `.ci/run` counts it among
/// the tests run in a browser.
mod browser_story {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_analysts_take_an_application_from_rejected_evidence_to_approved_sqlite() {
        story(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_analysts_take_an_application_from_rejected_evidence_to_approved_postgres() {
        if Backend::postgres_available() {
            story(Backend::Postgres).await;
        }
    }

    /// The story on `backend`.
    async fn story(backend: Backend) {
        if !(testkit::browser::available() && idp::available()) {
            return;
        }
        let port = idp::reserve_port();
        let app = spawn(backend, port).await;
        let _provider = Idp::start(port, &format!("{}/console/auth/callback", app.url));
        let cam = Cam::new(&app.url, "applicant-story");
        let (case, licence) = submitted_application(&app, &cam).await;
        let case_url = format!("{}/console/cases/{case}", app.url);
        // The bank's screening scores a related customer high: four eyes.
        ecm(
        &app,
        "addCustomer",
        &json!([{"caseId": case, "customers": [{"customerId": "SCREENED-1", "effectiveRisk": 85}]}]),
    )
    .await;

        // analyst-1 signs in at the provider and finds the case by filter:
        // new, KYC, nobody's, and the applicant's name.
        let ada = signed_in(&app, "analyst-1", "Ada Analyst").await;
        click(&ada, By::LinkText("Cases")).await;
        shows(&ada, "Filter cases").await;
        click(&ada, By::Css("#f-status option[value='NW']")).await;
        fill(&ada, "Case type", "KYC").await;
        click(&ada, By::Css("#f-assignee option[value='unassigned']")).await;
        fill(&ada, "Search", "Virat Kohli").await;
        press(&ada, "Show cases").await;
        shows(&ada, "1 case").await;
        checked(&ada, "the inbox with results", "inbox").await;
        // A search that finds nothing says what to do.
        fill(&ada, "Search", "Nobody Such").await;
        press(&ada, "Show cases").await;
        shows(&ada, "No case").await;
        checked(&ada, "the inbox's empty state", "inbox-empty").await;
        fill(&ada, "Search", "Virat Kohli").await;
        press(&ada, "Show cases").await;
        shows(&ada, "1 case").await;
        click(&ada, By::LinkText(&case)).await;
        shows(&ada, "Nobody is editing this case").await;

        // Every tab, read-only before the lock; those with something in this
        // story pictured.
        for (label, name) in [
            ("Customers", Some("case-customers")),
            ("Accounts", None),
            ("Transactions", None),
            ("External entities", None),
            ("Events", None),
            ("Evidence", Some("case-evidence")),
            ("Narratives", None),
            ("Audit trail", None),
        ] {
            tab(&ada, label).await;
            let screen = format!("the case's {label} tab");
            match name {
                Some(name) => checked_at(&ada, &screen, name, "tab").await,
                None => Browser::assert_accessible(&ada, &screen).await,
            }
        }

        // Edit takes the lock; the blurred licence is rejected with a reason.
        tab(&ada, "Evidence").await;
        press(&ada, "Edit").await;
        shows(&ada, "You are editing this case").await;
        checked_at(
            &ada,
            "the case being edited",
            "case-edit",
            "actions-heading",
        )
        .await;
        checked_at(
            &ada,
            "the evidence with its decisions",
            "case-evidence-review",
            "tab",
        )
        .await;
        fill(
            &ada,
            "Reason to reject licence-photo.pdf",
            "The photo is blurred.",
        )
        .await;
        click(
            &ada,
            By::XPath(
                "//form[.//label[normalize-space()='Reason to reject licence-photo.pdf']]//button"
                    .to_owned(),
            ),
        )
        .await;
        shows(&ada, "Rejected by analyst-1: The photo is blurred.").await;

        // The applicant sees why, takes the action back and sends another.
        answer_again(&cam, &licence, "The photo is blurred.", "licence-sharp.pdf").await;
        eventually("the new licence on the case", || async {
            evidence_names(&app, &case)
                .await
                .iter()
                .any(|n| n == "licence-sharp.pdf")
                .then_some(())
        })
        .await;

        // analyst-1 accepts both documents. (Moving within the case keeps the
        // lock; a reload would be leaving it, and release it.)
        tab(&ada, "Evidence").await;
        shows(&ada, "licence-sharp.pdf").await;
        // The new document, previewed inline before deciding.
        click(&ada, By::LinkText("licence-sharp.pdf")).await;
        shows(&ada, "Download licence-sharp.pdf").await;
        checked(&ada, "the evidence preview", "evidence-preview").await;
        click(
            &ada,
            By::LinkText(format!("Back to the evidence of case {case}")),
        )
        .await;
        shows(&ada, "You are editing this case").await;
        for document in ["payslip-march.pdf", "licence-sharp.pdf"] {
            press(&ada, &format!("Accept {document}")).await;
            shows(&ada, "Accepted by analyst-1").await;
        }
        until("both accepted", || async {
            main_text(&ada)
                .await
                .matches("Accepted by analyst-1")
                .count()
                == 2
        })
        .await;

        // Every case needs four eyes here: analyst-1 recommends approval, and
        // cannot approve it.
        shows(
            &ada,
            "Approving or rejecting this case takes two case workers",
        )
        .await;
        fill(
            &ada,
            "Why you recommend it",
            "Payslip and a sharp licence: all in order.",
        )
        .await;
        press(&ada, "Recommend approval").await;
        shows(&ada, "You cannot approve your own recommendation").await;
        let approve = ada
            .find_all(By::XPath(
                "//button[normalize-space()='Approve recommendation']".to_owned(),
            ))
            .await
            .expect("buttons");
        assert!(approve.is_empty(), "the recommender cannot approve");
        checked_at(
            &ada,
            "the case with analyst-1's recommendation",
            "case-recommended",
            "recommendation",
        )
        .await;

        // analyst-2 meets analyst-1's lock: read-only, saying who holds it.
        let bo = signed_in(&app, "analyst-2", "Bo Analyst").await;
        bo.goto(&case_url).await.expect("opened");
        shows(&bo, "Read-only: analyst-1 is editing this case until").await;
        let buttons = bo.find_all(By::Css("#main button")).await.expect("buttons");
        assert!(buttons.is_empty(), "no action while locked");
        checked_at(
            &bo,
            "the case read-only under another's lock",
            "case-read-only",
            "lock-heading",
        )
        .await;

        // analyst-1 is done; analyst-2 takes the case.
        press(&ada, "Done").await;
        shows(&ada, "Nobody is editing this case").await;
        bo.refresh().await.expect("reloaded");
        press(&bo, "Edit").await;
        shows(&bo, "You are editing this case").await;
        shows(&bo, "Another case worker's approval sets the case to").await;
        checked_at(&bo, "the approval form", "case-approve", "status-actions").await;
        let comment = bo
            .find(By::Id("approval-comment"))
            .await
            .expect("the comment");
        comment
            .send_keys("Checked again: approved.")
            .await
            .expect("typed");
        press(&bo, "Approve recommendation").await;
        shows(&bo, "Closed – Approved").await;

        // The applicant sees the outcome.
        eventually("the application approved", || async {
            (listing(&cam).await["ApplicationStatus"] == "Approved").then_some(())
        })
        .await;

        // A case:read viewer sees the case with no action button at all.
        let vi = signed_in(&app, "viewer", "Vi Viewer").await;
        vi.goto(&case_url).await.expect("opened");
        shows(&vi, "Read-only").await;
        let buttons = vi.find_all(By::Css("#main button")).await.expect("buttons");
        assert!(buttons.is_empty(), "the viewer has no action");
        checked(&vi, "the case for a viewer", "case-viewer").await;
        // Error pages: an unknown case.
        vi.goto(format!("{}/console/cases/NO-SUCH-CASE", app.url))
            .await
            .expect("opened");
        shows(&vi, "There is no such page").await;
        checked(&vi, "the not-found page", "not-found").await;
        vi.quit().await.expect("closed");
        // A relationship manager sees the application, with its case...
        let rae = signed_in(&app, "rm-1", "Rae Manager").await;
        click(&rae, By::LinkText("Applications")).await;
        shows(&rae, "Filter applications").await;
        shows(&rae, "Approved").await;
        checked(&rae, "the applications screen", "applications").await;
        // ...but may not read cases (application:read only).
        click(&rae, By::LinkText(&case)).await;
        shows(&rae, "Back to the console").await;
        checked(&rae, "the forbidden page", "forbidden").await;
        rae.quit().await.expect("closed");

        bo.quit().await.expect("closed");
        ada.quit().await.expect("closed");
    }
}
