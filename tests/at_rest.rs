//! Personal data at rest (issue 17, finding 5): the whole product runs on
//! each database backend and object store, distinctive personal values go
//! in through the public APIs (CAM and ECM), and then every column of every
//! table of every service's database, the SQLite files themselves, and
//! every object in the store are searched for them. None may be found in
//! plaintext; a failure names the table and column, file or object.

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::cam::{b64, Cam};
use testkit::objects::Objects;
use testkit::{backend_tests, Backend, TestApp};

/// The values sent, each distinctive enough that no key, id or ciphertext
/// holds it by chance. Amounts are searched as the decimal text sent.
const SEEDED: &[&str] = &[
    // CAM: the applicant, the co-applicant, an answer, a file's name, note,
    // client id and content.
    "Zephyrine",
    "Quasimodova",
    "1958-07-14",
    "zephyrine.q@example.org",
    "7003141592",
    "Ottoline",
    "Brackwaterson",
    "1962-03-09",
    "ottoline.b@example.net",
    "Lived-at-Quillfeather-Row-since-2011",
    "Quasimodova-Zephyrine-payslip-2026.pdf",
    "Payslip-of-Zephyrine-for-March",
    "CLIENT-FILE-QUILL-4471",
    "MARKER-OF-THE-FILE-CONTENT-7731",
    // ECM: a customer.
    "Ximenaquo",
    "Vantablackova",
    "1961-02-03",
    "TAXQ-8841-ZZ",
    "77 Quillfeather Row",
    "Brindlemoor",
    "QX9 4ZZ",
    "7771234567",
    "ximena.quo@example.org",
    "ACCT-QV-55501",
    "OLU-QV-55502",
    "Harrowgate Mills",
    "8765432.19",
    "4321.87",
    // ECM: an account, a transaction, an external entity, a narrative, and
    // their ids (an account id is personal data); a business record loaded
    // by the bank and its id.
    "ACC-PRIVATE-7731",
    "TXN-PRIVATE-5520",
    "EXT-PRIVATE-6640",
    "ACC-BANK-PRIVATE-8812",
    "Grimsditch Current Account",
    "Quillfeather Holdings Trust",
    "TAXQ-ACC-7712",
    "91827.36",
    "Brackenfold Savings",
    "Zorblatt met the applicant at the branch",
    // The application flow on the case (SPEC §D): a document's file name
    // as evidence, a reviewer's comments, an applicant's request for help.
    "Yselbrandt-bank-statement-0419.pdf",
    "Vellacourt-signature-is-smudged",
    "Quentavia-asks-about-form-B",
];

/// Where documents are stored.
#[derive(Clone, Copy)]
enum Store {
    Local,
    S3,
}

async fn nothing_personal_at_rest(backend: Backend, store: Store) {
    let mut vars = support::cam::cam_vars();
    if let Store::S3 = store {
        vars.extend(testkit::objects::s3_vars(
            &testkit::s3::create_bucket().await,
        ));
    }
    let extra: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let names = onboarding::service_names();
    let app = TestApp::spawn(backend, &names, &extra, &|ctx, vars| {
        onboarding::build_all(&onboarding::service_names(), ctx, Some(vars))
    })
    .await;
    seed_cam(&app).await;
    seed_ecm(&app).await;

    let mut leaks = Vec::new();
    for service in &names {
        let url = &app.vars[&service_kit::db::url_variable(service)];
        for (column, text) in testkit::at_rest::database_columns(backend, url) {
            leaks.extend(found(&format!("{service} database, {column}"), &text));
        }
        if backend == Backend::Sqlite {
            // The files themselves: free pages and the write-ahead log too.
            let text = testkit::at_rest::database_text(backend, url);
            leaks.extend(found(&format!("{service} database file"), &text));
        }
    }
    let objects = Objects::of(&app.vars);
    let keys = objects.keys().await;
    assert!(!keys.is_empty(), "the store holds the uploaded document");
    for key in keys {
        let bytes = objects.read(&key).await;
        leaks.extend(found(
            &format!("object {key}"),
            &String::from_utf8_lossy(&bytes),
        ));
    }
    assert!(
        leaks.is_empty(),
        "personal values in plaintext at rest:\n{}",
        leaks.join("\n")
    );
}

/// Each seeded value found in `text`, with where it was found.
fn found(place: &str, text: &str) -> Vec<String> {
    SEEDED
        .iter()
        .filter(|value| text.contains(*value))
        .map(|value| format!("{value:?} in {place}"))
        .collect()
}

async fn seed_cam(app: &TestApp) {
    let cam = Cam::new(&app.url, "applicant-at-rest");
    let mut create = support::cam::seed_create_prospect();
    for (field, value) in [
        ("FirstName", "Zephyrine"),
        ("LastName", "Quasimodova"),
        ("DateOfBirth", "1958-07-14"),
        ("Email", "zephyrine.q@example.org"),
        ("MobileNumber", "7003141592"),
    ] {
        create[field] = json!(value);
    }
    let (status, created) = cam
        .call("PersonalInfo/createProspectProfile", &create)
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let app_id = created["Application_id"].as_str().expect("application");
    let party = created["Party_Id"].as_str().expect("party");
    let mut co = support::cam::seed_update_prospect();
    for (field, value) in [
        ("FirstName", "Ottoline"),
        ("LastName", "Brackwaterson"),
        ("DateOfBirth", "1962-03-09"),
        ("Email", "ottoline.b@example.net"),
    ] {
        co[field] = json!(value);
    }
    let (status, answer) = cam.call("PersonalInfo/updateProspectProfile", &co).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = cam
        .call("UserAction/createPreRequirements", &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let time = format!("TimeOnCurrentAddress_{party}_{app_id}");
    let bulk = json!({"UserActions": [{"UserActionIdentifier": time,
        "Response": "Lived-at-Quillfeather-Row-since-2011", "Status": "Submitted"}]});
    let (status, answer) = cam.call("UserAction/updateUserActionBulk", &bulk).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let content = b"%PDF-1.4\nMARKER-OF-THE-FILE-CONTENT-7731\n%%EOF\n";
    let upload = json!({"UserActionIdentifier": format!("ProofOfIncomeEmployed_{party}_{app_id}"),
        "Response": [{"fileName": "Quasimodova-Zephyrine-payslip-2026.pdf",
                      "fileType": "application/pdf",
                      "fileInfo": "Payslip-of-Zephyrine-for-March",
                      "fileClientId": "CLIENT-FILE-QUILL-4471", "fileContents": b64(content)}]});
    let (status, answer) = cam.call("UserAction/uploadDocument", &upload).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

async fn seed_ecm(app: &TestApp) {
    let token = support::cam::ecm_token("analyst-at-rest", &["case:write"]);
    let customer = json!({
        "customerId": "K-AT-REST", "customerTypeCode": "IND",
        "firstName": "Ximenaquo", "lastName": "Vantablackova", "dateOfBirth": "1961-02-03",
        "taxId": "TAXQ-8841-ZZ", "employer": "Harrowgate Mills", "estimatedNetWorth": 8765432.19,
        "addresses": [{"addressLine1": "77 Quillfeather Row", "city": "Brindlemoor",
                       "postalCode": "QX9 4ZZ", "countryCode": "GB"}],
        "phones": [{"phoneNumber": 7771234567_u64}],
        "emails": [{"emailId": "ximena.quo@example.org"}],
        "accounts": [{"accountId": "ACCT-QV-55501", "accountRoleCode": "OWNER"}],
        "onlineAccounts": [{"onlineAccountId": "OLU-QV-55502", "accountId": "ACCT-QV-55501"}],
        "anticipatoryProfiles": [{"profileMetricCode": "CASH", "totalAmount": 4321.87}]
    });
    // The bank's own account, loaded through the internal bulk API, which
    // `businessAdd: "Y"` takes onto the case below.
    let loaded = app
        .internal(reqwest::Method::POST, "/case/v1/business-records")
        .json(
            &json!([{"kind": "account", "record": {"accountId": "ACC-BANK-PRIVATE-8812",
            "accountName": "Grimsditch Current Account"}}]),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(loaded.status(), StatusCode::OK);
    for (op, body) in [
        ("createCase", json!([{"caseId": "CASE-AT-REST"}])),
        (
            "addCustomer",
            json!([{"caseId": "CASE-AT-REST", "customers": [customer]}]),
        ),
        (
            "addAccount",
            json!([{"caseId": "CASE-AT-REST", "accounts": [{"accountId": "ACC-PRIVATE-7731",
                "accountName": "Quillfeather Holdings Trust", "taxId": "TAXQ-ACC-7712"},
                {"accountId": "ACC-BANK-PRIVATE-8812", "businessAdd": "Y"}]}]),
        ),
        (
            "addTransaction",
            json!([{"caseId": "CASE-AT-REST", "transactions": [{"transactionReferenceId": "TXN-PRIVATE-5520",
                "accountId": "ACCT-QV-55501", "baseAmount": 91827.36}]}]),
        ),
        (
            "addExternalEntity",
            json!([{"caseId": "CASE-AT-REST", "externalEntities": [{"externalEntity": "EXT-PRIVATE-6640",
                "institutionName": "Brackenfold Savings"}]}]),
        ),
        (
            "addNarrative",
            json!([{"caseId": "CASE-AT-REST",
                "narrative": "Zorblatt met the applicant at the branch."}]),
        ),
    ] {
        let (status, answer) = testkit::call(
            app.anonymous(
                reqwest::Method::POST,
                &format!("{}/{op}", support::ecm::CASES),
            )
            .bearer_auth(&token)
            .json(&body),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{op}: {answer}");
    }
    seed_application_case(app, &token).await;
    // The customer reads back as sent, amounts exactly, and the records by
    // their ids, in id order.
    let (status, details) = testkit::call(
        app.anonymous(
            reqwest::Method::POST,
            &format!("{}/getCaseDetails", support::ecm::CASES),
        )
        .bearer_auth(&token)
        .json(&json!({"caseId": "CASE-AT-REST"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{details}");
    let read = &details["customers"][0];
    assert_eq!(
        [
            &read["lastName"],
            &read["estimatedNetWorth"],
            &read["anticipatoryProfiles"][0]["totalAmount"],
            &read["accounts"][0]["accountId"],
            &details["accounts"][0]["accountId"],
            &details["accounts"][0]["accountName"],
            &details["accounts"][1]["accountId"],
            &details["transactions"][0]["transactionReferenceId"],
            &details["externalEntities"][0]["externalEntity"],
        ],
        [
            &json!("Vantablackova"),
            &serde_json::from_str::<Value>("8765432.19").expect("number"),
            &serde_json::from_str::<Value>("4321.87").expect("number"),
            &json!("ACCT-QV-55501"),
            &json!("ACC-BANK-PRIVATE-8812"),
            &json!("Grimsditch Current Account"),
            &json!("ACC-PRIVATE-7731"),
            &json!("TXN-PRIVATE-5520"),
            &json!("EXT-PRIVATE-6640"),
        ]
    );
}

/// An application's case, opened by user-action's event as its outbox
/// delivers it: a document as evidence, rejected with comments, and a
/// request for help.
async fn seed_application_case(app: &TestApp, token: &str) {
    let created = app
        .internal(reqwest::Method::POST, "/party/v1/parties")
        .json(&json!({"kind": "person", "firstName": "Applicant", "lastName": "At-Rest"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(created.status(), StatusCode::CREATED);
    let party: Value = created.json().await.expect("a party");
    let events = "/case/v1/applications/app-at-rest/events";
    for event in [
        json!({"id": "evt-at-rest-1", "occurredAt": "2026-12-07T10:00:00Z",
               "kind": "application.submitted", "data": {
            "applicants": [party["id"]], "needsReview": ["UA-AT-REST"],
            "documents": [{"documentId": "doc-at-rest", "fileName": "Yselbrandt-bank-statement-0419.pdf",
                           "fileType": "pdf", "size": 10, "sha256": "0".repeat(64),
                           "userActionIdentifier": "UA-AT-REST"}]}}),
        json!({"id": "evt-at-rest-2", "occurredAt": "2026-12-07T10:00:00Z", "kind": "rm.notified",
               "data": {"requestId": "rm-at-rest", "message": "Quentavia-asks-about-form-B"}}),
    ] {
        let (status, answer) =
            testkit::call(app.internal(reqwest::Method::POST, events).json(&event)).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    let (_, found) = testkit::call(
        app.anonymous(
            reqwest::Method::POST,
            &format!("{}/getCustomerCases", support::ecm::CASES),
        )
        .bearer_auth(token)
        .json(&json!({"customerId": party["id"]})),
    )
    .await;
    let case_id = found["cases"][0]["caseId"].clone();
    let (status, answer) = testkit::call(
        app.anonymous(
            reqwest::Method::POST,
            &format!("{}/reviewEvidence", support::ecm::CASES),
        )
        .bearer_auth(token)
        .json(
            &json!([{"caseId": case_id, "evidence": [{"documentId": "doc-at-rest",
            "decision": "REJECT", "comments": "Vellacourt-signature-is-smudged"}]}]),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (_, details) = testkit::call(
        app.anonymous(
            reqwest::Method::POST,
            &format!("{}/getCaseDetails", support::ecm::CASES),
        )
        .bearer_auth(token)
        .json(&json!({"caseId": case_id})),
    )
    .await;
    let application = &details["application"];
    assert_eq!(
        [
            &application["evidence"][0]["fileName"],
            &application["evidence"][0]["comments"],
            &application["rmRequests"][0]["message"],
        ],
        [
            &json!("Yselbrandt-bank-statement-0419.pdf"),
            &json!("Vellacourt-signature-is-smudged"),
            &json!("Quentavia-asks-about-form-B"),
        ]
    );
}

async fn on_local_files(backend: Backend) {
    nothing_personal_at_rest(backend, Store::Local).await;
}

async fn on_s3(backend: Backend) {
    // Skipped with a note when no S3 server can be had (REQUIRE_S3=1 fails).
    if testkit::s3::available() {
        nothing_personal_at_rest(backend, Store::S3).await;
    }
}

backend_tests!(on_local_files, on_s3);
