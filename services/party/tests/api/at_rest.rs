//! A party's personal data at rest: sealed in the database, found by blind
//! indexes, still readable after a key rotation, and a missing key fails
//! cleanly.

use crate::helpers::{build, create, read, spawn_with, virat};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use testkit::at_rest::database_text;
use testkit::call;
use testkit::{backend_tests, faults, Backend, TestApp, KEY_A, KEY_B};

fn raw(app: &TestApp) -> String {
    database_text(app.backend, &app.vars["PARTY_DATABASE_URL"])
}

async fn by_tax_id(app: &TestApp, tax_id: &str) -> Value {
    let path = format!("/party/v1/parties?taxId={tax_id}");
    let (status, body) = call(app.internal(Method::GET, &path)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn tax_ids_are_sealed_and_found_by_blind_index(backend: Backend) {
    let app = spawn_with(backend, &[("ENCRYPTION_KEYS", KEY_A)]).await;
    let virat = create(&app, &virat()).await;
    let stored = raw(&app);
    testkit::assert_absent("the database", &stored, &["TX123"]);
    assert!(stored.contains("enc1:a:"), "no sealed value is stored");
    let id = virat["id"].as_str().unwrap();
    assert_eq!(read(&app, id).await, virat);
    let only = json!({"items": [virat], "nextCursor": null});
    // The blind index is of the normalised tax id.
    assert_eq!(by_tax_id(&app, "TX123").await, only);
    assert_eq!(by_tax_id(&app, "tx-1%2023").await, only);
    assert_eq!(
        by_tax_id(&app, "TX124").await,
        json!({"items": [], "nextCursor": null})
    );
}

/// Every personal value of the seed's applicant, as sent (and as the old
/// plaintext indexes held them). Its nationality, `IN`, is too short to
/// look for in a database file; it is sealed like the rest.
const PERSONAL: [&str; 14] = [
    "Virat",
    "Kohli",
    "kohli",
    "1985-10-10",
    "kanand@temenos.com",
    "919994305648",
    "Wall Street 101",
    "College Road",
    "New York",
    "North",
    "12345-123",
    "ORACLE",
    "Engineer",
    "TX123",
];

async fn personal_data_is_sealed_and_found_by_blind_indexes(backend: Backend) {
    let app = spawn_with(backend, &[("ENCRYPTION_KEYS", KEY_A)]).await;
    let virat = create(&app, &virat()).await;
    let other = create(&app, &crate::helpers::minimal("Rohit", "Sharma")).await;
    testkit::assert_absent("the database", &raw(&app), &PERSONAL);
    let id = virat["id"].as_str().unwrap();
    assert_eq!(read(&app, id).await, virat);
    assert_found_by_each_index(&app, &virat).await;
    assert_eq!(
        listed(&app, "lastName=sharma").await,
        json!({"items": [other], "nextCursor": null})
    );
}

async fn listed(app: &TestApp, filter: &str) -> Value {
    let (status, body) =
        call(app.internal(Method::GET, &format!("/party/v1/parties?{filter}"))).await;
    assert_eq!(status, StatusCode::OK, "{filter}: {body}");
    body
}

/// `party` is found, alone, by its last name, date of birth, email and tax
/// id (each in another case or spelling than stored, where that matters).
async fn assert_found_by_each_index(app: &TestApp, party: &Value) {
    let only = json!({"items": [party], "nextCursor": null});
    for filter in [
        "lastName=KOHLI",
        "dateOfBirth=1985-10-10",
        "email=Kanand%40temenos.com",
        "taxId=tx-123",
    ] {
        assert_eq!(listed(app, filter).await, only, "{filter}");
    }
}

async fn old_keys_keep_decrypting_and_a_missing_key_fails_cleanly(backend: Backend) {
    let mut app = spawn_with(backend, &[("ENCRYPTION_KEYS", KEY_A)]).await;
    let virat = create(&app, &virat()).await;
    let id = virat["id"].as_str().unwrap().to_owned();

    let rotated = format!("{KEY_B},{KEY_A}");
    app.restart(&[("ENCRYPTION_KEYS", Some(&rotated))], &build)
        .await;
    assert_eq!(read(&app, &id).await, virat);
    let again = create(&app, &crate::helpers::virat()).await;
    assert!(
        raw(&app).contains("enc1:b:"),
        "the new key does not encrypt"
    );
    let both = by_tax_id(&app, "TX123").await;
    assert_eq!(both["items"].as_array().unwrap().len(), 2, "{both}");
    assert!(both["items"].as_array().unwrap().contains(&again));

    app.restart(&[("ENCRYPTION_KEYS", Some(KEY_B))], &build)
        .await;
    let (status, body) = call(app.internal(Method::GET, &format!("/party/v1/parties/{id}"))).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        body,
        json!({"type": "urn:onboarding:problem:internal", "title": "Internal error",
               "status": 500, "detail": "an internal error occurred"})
    );
}

/// What the tables held before personal data was sealed: the seed's
/// applicant in plaintext (its tax id too, as before identifiers were
/// sealed), with the plaintext indexes of the time.
const PLAINTEXT_PARTY: &str = "
    UPDATE parties SET first_name = 'Virat', last_name = 'Kohli', last_name_key = 'kohli',
        date_of_birth = '1985-10-10', date_of_birth_key = NULL, nationality = 'IN',
        employer = 'ORACLE', occupation = 'Engineer', sealed = FALSE;
    UPDATE party_contact_points SET value = 'kanand@temenos.com', value_key = 'kanand@temenos.com'
        WHERE position = 0;
    UPDATE party_contact_points SET value = '+919994305648', value_key = '+919994305648'
        WHERE position = 1;
    UPDATE party_identifiers SET value = 'TX123', value_key = NULL;
    UPDATE party_addresses SET lines = '[\"Wall Street 101\",\"College Road\"]', city = 'New York',
        state = 'North', postal_code = '12345-123';
";

async fn rows_written_before_sealing_are_sealed_at_start(backend: Backend) {
    let mut app = spawn_with(backend, &[("ENCRYPTION_KEYS", KEY_A)]).await;
    let virat = create(&app, &virat()).await;
    let url = app.vars["PARTY_DATABASE_URL"].clone();
    faults::execute(backend, &url, PLAINTEXT_PARTY);
    app.restart(&[], &build).await;
    let id = virat["id"].as_str().unwrap();
    assert_eq!(read(&app, id).await, virat);
    assert_found_by_each_index(&app, &virat).await;
    if backend == Backend::Postgres {
        // (A SQLite file may keep the overwritten text in a free page.)
        testkit::assert_absent("the database", &raw(&app), &PERSONAL);
    }
}

backend_tests!(
    tax_ids_are_sealed_and_found_by_blind_index,
    personal_data_is_sealed_and_found_by_blind_indexes,
    old_keys_keep_decrypting_and_a_missing_key_fails_cleanly,
    rows_written_before_sealing_are_sealed_at_start,
);
