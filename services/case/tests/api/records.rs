//! Accounts, external entities and transactions on cases (ECM guide
//! 4.11–4.16), and the bank's business records they can be taken from.

use crate::audit::audited_json;
use crate::helpers::{create_cases, envelope, post, post_raw, reader, spawn, writer, ANALYST};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{backend_tests, Backend, TestApp};

/// An account with every field the guide lists.
fn account(id: &str) -> Value {
    json!({
        "accountId": id, "businessAdd": "N", "accountName": "Everyday savings",
        "type1": "SAV", "type2": "RET", "registrationType": "IND", "ownerTypeCode": "C",
        "taxIdFormatCode": "S", "taxId": "123-45-6789", "firmId": "F1", "taxWithHoldCode": "N",
        "jurisdictionCode": "AMEA", "businessDomainCode": "a", "houseHoldGroupId": "HH1",
        "legalEntity": "LE1", "openDate": "2020-01-15 09:30:00", "closeDate": "2024-06-30 17:00:00"
    })
}

/// An external entity with every field.
fn external_entity(id: &str) -> Value {
    json!({
        "externalEntity": id, "businessAdd": "N", "externalEntityTypeCode": "XA",
        "lastActivityDate": "2024-03-01 12:00:00", "riskRating": 2,
        "jurisdictionCode": "AMEA", "businessDomainCode": "a", "institution": "BANK1",
        "institutionName": "First Bank", "institutionId": "INST1",
        "contactInformation": {"addressLine1": "1 Main St", "addressLine2": "Floor 2",
                               "addressLine3": "Suite 3", "city": "Pune", "stateCode": "MH",
                               "postalCode": "411001", "countryCode": "IN"}
    })
}

/// A back-office transaction with every field that applies to it.
fn transaction(id: &str) -> Value {
    json!({
        "transactionReferenceId": id, "businessAdd": "N", "transactionTypeCode": "B",
        "accountId": "ACCT-123", "offsetAccountId": "ACCT-999", "securityId": "SEC1",
        "quantity": 10, "transactionDateTime": "2024-03-01 12:00:00",
        "debitOrCreditCode": "D", "baseAmount": 12345.67
    })
}

/// One record's line of an answer.
fn line(id_key: &str, status: &str, message: &str, id: &str) -> Value {
    json!({"MESSAGE": message, "STATUS": status, id_key: id})
}

/// The whole answer of one case.
fn answer(status: StatusCode, top: (&str, &str), case: Value) -> (StatusCode, Value) {
    (
        status,
        json!({"MESSAGE": top.0, "STATUS": top.1, "RESULTARRAY": [case]}),
    )
}

async fn stored_records(app: &TestApp, case_id: &str, list: &str) -> Value {
    let (status, body) = post(
        app,
        &reader(app),
        "getCaseDetails",
        &json!({"caseId": case_id}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body[list].clone()
}

/// Loads business records through the internal bulk API.
async fn load(app: &TestApp, entries: &Value) -> (StatusCode, Value) {
    let response = app
        .internal(reqwest::Method::POST, "/case/v1/business-records")
        .json(entries)
        .send()
        .await
        .expect("sent");
    let status = response.status();
    (status, response.json().await.expect("json"))
}

async fn the_vendors_samples_add_and_remove_each_kind(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA100"]).await;
    let token = writer(&app);
    for (add, remove, key, id_key, record, reference, words) in [
        (
            "addAccount",
            "removeAccount",
            "accounts",
            "accountId",
            account("ACCT-123"),
            json!({"accountId": "ACCT-123"}),
            ("Accounts", "Account"),
        ),
        (
            "addExternalEntity",
            "removeExternalEntity",
            "externalEntities",
            "externalEntity",
            external_entity("ACFTNETRSTACO1X"),
            json!({"externalEntity": "ACFTNETRSTACO1X", "externalEntityTypeCode": "XA"}),
            ("External Entities", "External Entity"),
        ),
        (
            "addTransaction",
            "removeTransaction",
            "transactions",
            "transactionReferenceId",
            transaction("BOTRXNCSTLOSSSEVHH004"),
            json!({"transactionReferenceId": "BOTRXNCSTLOSSSEVHH004", "transactionTypeCode": "B"}),
            ("Transactions", "Transaction"),
        ),
    ] {
        let id = record[id_key].as_str().expect("an id").to_owned();
        let (plural, singular) = words;
        let added = format!("{plural} addition was successful.");
        assert_eq!(
            post(
                &app,
                &token,
                add,
                &json!([{"caseId": "CA100", key: [record.clone()]}])
            )
            .await,
            answer(
                StatusCode::OK,
                (&added, "SUCCESS"),
                json!({"MESSAGE": added, "STATUS": "SUCCESS", "caseId": "CA100",
                       key: [line(id_key, "SUCCESS", &format!("{singular} added successfully."), &id)]})
            ),
            "{add}"
        );
        assert_eq!(
            stored_records(&app, "CA100", key).await,
            json!([record]),
            "{add}: every field comes back as sent"
        );
        let again_failed = format!("{plural} addition failed.");
        assert_eq!(
            post(
                &app,
                &token,
                add,
                &json!([{"caseId": "CA100", key: [record.clone()]}])
            )
            .await,
            answer(
                StatusCode::BAD_REQUEST,
                (&again_failed, "FAILED"),
                json!({"MESSAGE": again_failed, "STATUS": "FAILED", "caseId": "CA100",
                       key: [line(id_key, "FAILED", &format!("{singular} already exists."), &id)]})
            ),
            "{add} again"
        );
        let removed = format!("{plural} removal was successful.");
        assert_eq!(
            post(
                &app,
                &token,
                remove,
                &json!([{"caseId": "CA100", key: [reference.clone()]}])
            )
            .await,
            answer(
                StatusCode::OK,
                (&removed, "SUCCESS"),
                json!({"MESSAGE": removed, "STATUS": "SUCCESS", "caseId": "CA100",
                       key: [line(id_key, "SUCCESS", &format!("{singular} removed successfully."), &id)]})
            ),
            "{remove}"
        );
        let removal_failed = format!("{plural} removal failed.");
        assert_eq!(
            post(
                &app,
                &token,
                remove,
                &json!([{"caseId": "CA100", key: [reference]}])
            )
            .await,
            answer(
                StatusCode::BAD_REQUEST,
                (&removal_failed, "FAILED"),
                json!({"MESSAGE": removal_failed, "STATUS": "FAILED", "caseId": "CA100",
                       key: [line(id_key, "FAILED", &format!("{singular} does not exist in case."), &id)]})
            ),
            "{remove} again"
        );
        assert_eq!(stored_records(&app, "CA100", key).await, json!([]));
        // The trail keeps the record as the case showed it, added and removed.
        let kind = add.trim_start_matches("add");
        let kind = kind[..1].to_lowercase() + &kind[1..];
        let entry = |action: String, old: &Value, new: &Value| {
            json!({"actor": ANALYST, "action": action, "customerId": null, "fromStatus": null,
                   "toStatus": null, "recordId": id, "oldValue": old, "newValue": new})
        };
        for (action, old, new) in [
            (format!("{kind}Added"), &Value::Null, &record),
            (format!("{kind}Removed"), &record, &Value::Null),
        ] {
            assert_eq!(
                audited_json(&app, "CA100", &action).await,
                vec![entry(action.clone(), old, new)]
            );
        }
    }
}

async fn partly_done_and_nothing_done(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA1", "CA2"]).await;
    let token = writer(&app);
    let mut bad_dates = account("ACCT-3");
    bad_dates["closeDate"] = json!("2019-01-01 00:00:00");
    let request = json!([
        {"caseId": "CA1", "accounts": [account("ACCT-1"), {"accountId": "ACCT-2", "taxWithHoldCode": "X"}, bad_dates]},
        {"caseId": "CA3600", "accounts": [account("ACCT-4")]},
        {"caseId": "CA2", "accounts": [{"accountId": "ACCT-5", "businessAdd": "Y"}]}
    ]);
    assert_eq!(
        post(&app, &token, "addAccount", &request).await,
        (
            StatusCode::OK,
            json!({
                "MESSAGE": "Accounts addition was partially successful.", "STATUS": "PARTIALSUCCESS",
                "RESULTARRAY": [
                    {"MESSAGE": "Accounts addition was partially successful.", "STATUS": "PARTIALSUCCESS", "caseId": "CA1",
                     "accounts": [
                        line("accountId", "SUCCESS", "Account added successfully.", "ACCT-1"),
                        line("accountId", "FAILED", "Invalid taxWithHoldCode: must be Y or N.", "ACCT-2"),
                        line("accountId", "FAILED", "Invalid closeDate: must not be before openDate.", "ACCT-3")
                     ]},
                    {"MESSAGE": "Case does not exist.", "STATUS": "FAILED", "caseId": "CA3600",
                     "accounts": [line("accountId", "FAILED", "Case does not exist.", "ACCT-4")]},
                    {"MESSAGE": "Accounts addition failed.", "STATUS": "FAILED", "caseId": "CA2",
                     "accounts": [line("accountId", "FAILED", "Account does not exist in business.", "ACCT-5")]}
                ]
            })
        )
    );
    // Nothing of the failed ones was written.
    assert_eq!(
        stored_records(&app, "CA1", "accounts").await,
        json!([account("ACCT-1")])
    );
    assert_eq!(stored_records(&app, "CA2", "accounts").await, json!([]));

    // Transactions: a field sent for a type it does not apply to fails
    // alone, naming the field.
    let mut cash_quantity = transaction("T2");
    cash_quantity["transactionTypeCode"] = json!("C");
    cash_quantity
        .as_object_mut()
        .expect("object")
        .remove("offsetAccountId");
    cash_quantity
        .as_object_mut()
        .expect("object")
        .remove("securityId");
    let wire = json!({"transactionReferenceId": "T3", "transactionTypeCode": "W",
                      "transactionDateTime": "2024-03-01 12:00:00", "baseAmount": 0.1,
                      "debitOrCreditCode": "D"});
    assert_eq!(
        post(
            &app,
            &token,
            "addTransaction",
            &json!([{"caseId": "CA1", "transactions": [cash_quantity, wire]}])
        )
        .await,
        answer(
            StatusCode::BAD_REQUEST,
            ("Transactions addition failed.", "FAILED"),
            json!({"MESSAGE": "Transactions addition failed.", "STATUS": "FAILED", "caseId": "CA1",
            "transactions": [
                line("transactionReferenceId", "FAILED", "Invalid quantity: applies only to back office transactions.", "T2"),
                line("transactionReferenceId", "FAILED", "Invalid debitOrCreditCode: applies only to back office and cash transactions.", "T3")
            ]})
        )
    );
    assert_eq!(stored_records(&app, "CA1", "transactions").await, json!([]));

    // The shape of the body refuses the whole request.
    for (body, message) in [
        (
            r#"[{"caseId": "CA1", "accounts": [{"accountId": "A"}], "note": 1}]"#,
            "Invalid JSON Input format. Please correct the data.",
        ),
        (
            r#"[{"accounts": [{"accountId": "A"}]}]"#,
            "Input JSON data does not have caseId.",
        ),
        (
            r#"{"caseId": "CA1", "accounts": []}"#,
            "Invalid JSON Input format. Please correct the data.",
        ),
        (
            r#"[{"caseId": "CA1", "customers": [{"accountId": "A"}]}]"#,
            "Invalid JSON Input format. Please correct the data.",
        ),
    ] {
        assert_eq!(
            post_raw(&app, Some(&token), "addAccount", body.to_owned()).await,
            (StatusCode::BAD_REQUEST, envelope(message)),
            "{body}"
        );
    }
}

async fn business_records_are_loaded_and_copied(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA1"]).await;
    let mut held = account("ACCT-9");
    held["businessAdd"] = json!("Y");
    held["accountName"] = json!("As the bank holds it");
    let entries = json!([
        {"kind": "account", "record": held},
        {"kind": "transaction", "record": transaction("TX-9")},
        {"kind": "externalEntity", "record": external_entity("EE-9")}
    ]);
    let loaded = json!({"accounts": 1, "externalEntities": 1, "transactions": 1});
    assert_eq!(load(&app, &entries).await, (StatusCode::OK, loaded.clone()));
    assert_eq!(
        load(&app, &entries).await,
        (StatusCode::OK, loaded),
        "loading again is an idempotent upsert"
    );
    let response = app
        .internal(
            reqwest::Method::GET,
            "/case/v1/business-records/account/ACCT-9",
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.expect("json"),
        json!({"kind": "account", "record": held})
    );

    // Of a record named twice in one load, the last counts.
    let mut renamed = held.clone();
    renamed["accountName"] = json!("Renamed");
    let twice =
        json!([{"kind": "account", "record": held}, {"kind": "account", "record": renamed}]);
    assert_eq!(
        load(&app, &twice).await,
        (
            StatusCode::OK,
            json!({"accounts": 2, "externalEntities": 0, "transactions": 0})
        )
    );
    let response = app
        .internal(
            reqwest::Method::GET,
            "/case/v1/business-records/account/ACCT-9",
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(
        response.json::<Value>().await.expect("json"),
        json!({"kind": "account", "record": renamed})
    );
    assert_eq!(
        load(&app, &json!([{"kind": "account", "record": held}]))
            .await
            .0,
        StatusCode::OK
    );

    // businessAdd "Y" copies the record; a field sent is kept as sent.
    let request = json!([{"caseId": "CA1", "accounts": [
        {"accountId": "ACCT-9", "businessAdd": "Y", "type2": "CHK"}
    ]}]);
    let (status, _) = post(&app, &writer(&app), "addAccount", &request).await;
    assert_eq!(status, StatusCode::OK);
    let mut expected = held.clone();
    expected["type2"] = json!("CHK");
    assert_eq!(
        stored_records(&app, "CA1", "accounts").await,
        json!([expected])
    );

    // The bulk API refuses a bad entry by index and field, and loads none.
    let (status, problem) = load(
        &app,
        &json!([
            {"kind": "account", "record": account("ACCT-10")},
            {"kind": "transaction", "record": {"transactionReferenceId": "T", "transactionTypeCode": "M", "quantity": 1}}
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(
        problem["errors"],
        json!([{"field": "[1].record.quantity", "message": "applies only to back office transactions"}])
    );
    let response = app
        .internal(
            reqwest::Method::GET,
            "/case/v1/business-records/account/ACCT-10",
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(
        response.status(),
        StatusCode::NOT_FOUND,
        "nothing was loaded"
    );

    // Without the internal credential: 401.
    let response = app
        .anonymous(reqwest::Method::POST, "/case/v1/business-records")
        .json(&entries)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

async fn the_same_record_added_at_once_is_added_once(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA1"]).await;
    let token = writer(&app);
    let request = json!([{"caseId": "CA1", "accounts": [account("ACCT-1")]}]);
    let answers =
        futures_util::future::join_all((0..8).map(|_| post(&app, &token, "addAccount", &request)))
            .await;
    let added = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::OK)
        .count();
    assert_eq!(added, 1, "{answers:?}");
    for (status, body) in &answers {
        if *status != StatusCode::OK {
            assert_eq!(
                body["RESULTARRAY"][0]["accounts"][0]["MESSAGE"],
                json!("Account already exists."),
                "{body}"
            );
        }
    }
    assert_eq!(
        stored_records(&app, "CA1", "accounts").await,
        json!([account("ACCT-1")])
    );
}

async fn roles_are_required(backend: Backend) {
    let app = spawn(backend).await;
    let body = json!([{"caseId": "CA1", "accounts": [account("ACCT-1")]}]).to_string();
    for op in [
        "addAccount",
        "removeAccount",
        "addExternalEntity",
        "removeExternalEntity",
        "addTransaction",
        "removeTransaction",
    ] {
        let (status, _) = post_raw(&app, None, op, body.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{op}");
        let (status, _) = post_raw(&app, Some(&reader(&app)), op, body.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{op}");
    }
}

backend_tests!(
    the_vendors_samples_add_and_remove_each_kind,
    partly_done_and_nothing_done,
    business_records_are_loaded_and_copied,
    the_same_record_added_at_once_is_added_once,
    roles_are_required,
);
