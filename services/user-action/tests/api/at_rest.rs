//! Personal data at rest (issue 17, finding 5): the seed's applicant, an
//! answer and an attached document's name, info and client id are sealed
//! in user-action's database and read back as sent; rows written before
//! sealing are sealed at start and read back identically.

use crate::helpers::{all_three, pdf_b64, spawn_with, User};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::at_rest::database_text;
use testkit::{backend_tests, call, faults, Backend, TestApp, KEY_A};

/// The personal values the flow below sends, none of which may be stored
/// as they are.
const PERSONAL: [&str; 6] = [
    "Virat",
    "Kohli",
    "Since 2015-06 at Wall Street 101",
    "virat-kohli-payslip.pdf",
    "Kohli salary, March",
    "1627265913230",
];

fn raw(app: &TestApp) -> String {
    database_text(app.backend, &app.vars["USER_ACTION_DATABASE_URL"])
}

/// The seed's prospect.
fn seed_profile() -> Value {
    json!({"FirstName": "Virat", "LastName": "Kohli", "DateOfBirth": "1985-10-10",
           "Email": "kanand@temenos.com", "MobileCountryCode": "+91", "MobileNumber": "9994305648",
           "BranchReference": "GB0010001", "ApplicantType": "Applicant", "SectionProgress": "Done",
           "ConsentIdentifier": "Create_PersonalInfo_Consent", "AcceptanceStatus": "Yes"})
}

/// What the seed flow answered, to compare after a restart.
struct Seen {
    created: Value,
    /// The update with personal values, and its answer: sent again, it is
    /// answered alike only if the stored response reads back as sent.
    update: Value,
    answer: Value,
    listing: Value,
    documents: Value,
    answer_identifier: String,
    upload_identifier: String,
}

/// The seed flow: the profile created (with an Idempotency-Key), an answer
/// with personal values, a document with a personal name and info.
async fn seed_flow(user: &User<'_>) -> Seen {
    let created = create_seed(user).await;
    let (application, party) = (
        created["Application_id"].as_str().expect("id"),
        created["Party_Id"].as_str().expect("party"),
    );
    let (status, pre) = user
        .call("UserAction/createPreRequirements", &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{pre}");
    let answer_identifier = format!("TimeOnCurrentAddress_{party}_{application}");
    let update = json!({"UserActionIdentifier": answer_identifier,
                        "Response": PERSONAL[2], "Status": "Submitted"});
    let (status, answer) = user.call("UserAction/updateUserAction", &update).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let upload_identifier = format!("ProofOfIncomeEmployed_{party}_{application}");
    let upload = json!({"UserActionIdentifier": upload_identifier, "Response": [{
        "fileName": PERSONAL[3], "fileType": "application/pdf", "fileInfo": PERSONAL[4],
        "fileClientId": 1627265913230_u64, "fileContents": pdf_b64()}]});
    let (status, uploaded) = user.call("UserAction/uploadDocument", &upload).await;
    assert_eq!(status, StatusCode::OK, "{uploaded}");
    assert_eq!(uploaded["Response"][0]["fileName"], PERSONAL[3]);
    assert_eq!(uploaded["Response"][0]["fileInfo"], PERSONAL[4]);
    assert_eq!(uploaded["Response"][0]["fileClientId"], 1627265913230_u64);
    let (listing, documents) = reads(user, &upload_identifier).await;
    Seen {
        created,
        update,
        answer,
        listing,
        documents,
        answer_identifier,
        upload_identifier,
    }
}

/// The listing and the documents of the upload action, as answered.
async fn reads(user: &User<'_>, upload_identifier: &str) -> (Value, Value) {
    let listing = user.actions().await;
    let (status, documents) = user
        .call(
            "UserAction/getDocument",
            &json!({"UserActionIdentifier": upload_identifier}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{documents}");
    (listing, documents)
}

/// createProspectProfile of the seed's prospect with an Idempotency-Key:
/// the first answer, or a repeat's.
async fn create_seed(user: &User<'_>) -> Value {
    let (status, again) = call(
        user.request("PersonalInfo/createProspectProfile")
            .header("Idempotency-Key", "seed-1")
            .json(&seed_profile()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    again
}

async fn personal_values_are_sealed(backend: Backend) {
    let app = spawn_with(backend, &[("ENCRYPTION_KEYS", KEY_A)]).await;
    let user = User::new(&app, "seed-user");
    let seen = seed_flow(&user).await;
    let stored = raw(&app);
    testkit::assert_absent("user-action's database", &stored, &PERSONAL);
    assert!(stored.contains("enc1:a:"), "no sealed value is stored");
    // Read back as sent: the names in the listing, the file, the answer.
    let listing = seen.listing.to_string();
    for value in ["Virat", "Kohli"] {
        assert!(listing.contains(value), "{value} missing from {listing}");
    }
    let document = &seen.documents["Response"][0];
    assert_eq!(
        (
            &document["fileName"],
            &document["fileInfo"],
            &document["fileClientId"]
        ),
        (
            &json!(PERSONAL[3]),
            &json!(PERSONAL[4]),
            &json!(1627265913230_u64)
        )
    );
    assert_eq!(create_seed(&user).await, seen.created);
    assert_eq!(
        user.call("UserAction/updateUserAction", &seen.update).await,
        (StatusCode::OK, seen.answer)
    );
}

async fn rows_written_before_sealing_are_sealed_at_start(backend: Backend) {
    let mut app = spawn_with(backend, &[("ENCRYPTION_KEYS", KEY_A)]).await;
    let user = User::new(&app, "seed-user");
    let seen = seed_flow(&user).await;
    // What the tables held before sealing: every value in plaintext.
    let plaintext = format!(
        "UPDATE applicants SET first_name = 'Virat', last_name = 'Kohli', sealed = FALSE;
         UPDATE user_actions SET response = '', sealed = FALSE;
         UPDATE user_actions SET response = '{answer}' WHERE identifier = '{time}';
         UPDATE action_documents SET file_name = '{name}', file_info = '{info}',
             file_client_id = '1627265913230', sealed = FALSE;
         UPDATE idempotency_keys SET response = '{created}', sealed = FALSE;",
        answer = PERSONAL[2],
        time = seen.answer_identifier,
        name = PERSONAL[3],
        info = PERSONAL[4],
        created = seen.created,
    );
    let url = app.vars["USER_ACTION_DATABASE_URL"].clone();
    faults::execute(backend, &url, &plaintext);
    app.restart(&[], &all_three).await;
    let user = User::new(&app, "seed-user");
    assert_eq!(
        reads(&user, &seen.upload_identifier).await,
        (seen.listing, seen.documents)
    );
    assert_eq!(create_seed(&user).await, seen.created);
    assert_eq!(
        user.call("UserAction/updateUserAction", &seen.update).await,
        (StatusCode::OK, seen.answer)
    );
    if backend == Backend::Postgres {
        // (A SQLite file may keep the overwritten text in a free page.)
        testkit::assert_absent("user-action's database", &raw(&app), &PERSONAL);
    }
}

backend_tests!(
    personal_values_are_sealed,
    rows_written_before_sealing_are_sealed_at_start,
);
