//! The seed document's whole flow, each request as the seed writes it:
//! create the prospect, add the co-applicant, create the pre-requirements,
//! list the actions, upload a document, update an action, bulk update,
//! list again, read the document and the audit trail back. Every response's
//! whole body is asserted.

use super::cam::{
    assert_formats, b64, created, fabric_error, is_action_id, is_hex24, listed, pdf_bytes,
    seed_create_prospect, seed_update_prospect, Cam, Person,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;

/// Runs the seed flow against the app at `base`, as a new end user.
pub async fn seed_flow(base: &str) {
    let cam = Cam::new(base, &format!("applicant-{}", uuid::Uuid::new_v4()));

    // createProspectProfile: the seed's sample, verbatim.
    let (status, created_profile) = cam
        .call(
            "PersonalInfo/createProspectProfile",
            &seed_create_prospect(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created_profile}");
    let app = created_profile["Application_id"]
        .as_str()
        .expect("Application_id")
        .to_owned();
    let virat = Person {
        party_id: created_profile["Party_Id"]
            .as_str()
            .expect("Party_Id")
            .to_owned(),
        first: "Virat",
        last: "Kohli",
    };
    assert_eq!(
        created_profile,
        json!({"Application_id": app, "Party_Id": virat.party_id, "opstatus": 0, "httpStatusCode": 200})
    );

    // updateProspectProfile: the seed's sample, verbatim. Its EntityId is
    // unknown here, so a co-applicant is created with a new one.
    let (status, co) = cam
        .call(
            "PersonalInfo/updateProspectProfile",
            &seed_update_prospect(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{co}");
    let entity = co["EntityId"].as_str().expect("EntityId").to_owned();
    assert!(
        is_hex24(&entity) && entity != "60fe1abbdecbb711d1e76620",
        "{entity}"
    );
    let rohit = Person {
        party_id: co["Party_Id"].as_str().expect("Party_Id").to_owned(),
        first: "Rohit",
        last: "Sharma",
    };
    assert_eq!(
        co,
        json!({"EntityId": entity, "Party_Id": rohit.party_id, "opstatus": 0, "httpStatusCode": 200})
    );
    assert_formats(&app, &[&virat.party_id, &rohit.party_id]);

    // createPreRequirements: the seed's `jsondata={}`, form-encoded.
    let pre = cam
        .request("UserAction/createPreRequirements")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("jsondata={}");
    let (status, prereqs) = testkit::call(pre).await;
    assert_eq!(status, StatusCode::OK, "{prereqs}");
    let mut ids: HashMap<String, String> = HashMap::new();
    for group in ["Income", "Documents", "Verification"] {
        for item in prereqs[group].as_array().expect("a group") {
            let id = item["UserActionId"].as_str().expect("UserActionId");
            assert!(is_action_id(id), "{id}");
            ids.insert(
                item["UserActionIdentifier"]
                    .as_str()
                    .expect("identifier")
                    .to_owned(),
                id.to_owned(),
            );
        }
    }
    let id =
        |name: &str, person: &Person| ids[&format!("{name}_{}_{app}", person.party_id)].clone();
    let expected_prereqs = json!({
        "Income": [created("ProofOfIncomeEmployed", &virat, &app, &id("ProofOfIncomeEmployed", &virat)),
                   created("ProofOfIncomeEmployed", &rohit, &app, &id("ProofOfIncomeEmployed", &rohit))],
        "Documents": [created("DriverLicense", &virat, &app, &id("DriverLicense", &virat)),
                      created("DriverLicense", &rohit, &app, &id("DriverLicense", &rohit)),
                      created("OptionalQuestion", &virat, &app, &id("OptionalQuestion", &virat))],
        "Verification": [created("TimeOnCurrentAddress", &virat, &app, &id("TimeOnCurrentAddress", &virat))],
        "count": 6, "id": app, "opstatus": 0, "httpStatusCode": 200
    });
    assert_eq!(prereqs, expected_prereqs);
    let (status, again) = testkit::call(
        cam.request("UserAction/createPreRequirements")
            .json(&json!({})),
    )
    .await;
    assert_eq!(
        (status, &again),
        (StatusCode::OK, &expected_prereqs),
        "a second call creates nothing new"
    );

    // getUserActions: the seed's `{"isPre": "true"}`.
    let listing = |statuses: &HashMap<&str, &str>| {
        let status = |name: &str, person: &Person| {
            statuses
                .get(format!("{name}_{}", person.first).as_str())
                .copied()
                .unwrap_or("Created")
                .to_owned()
        };
        let item = |name: &str, person: &Person| {
            listed(name, person, &app, &status(name, person), &id(name, person))
        };
        json!({
            "Income": [item("ProofOfIncomeEmployed", &virat), item("ProofOfIncomeEmployed", &rohit)],
            "Documents": [item("DriverLicense", &virat), item("DriverLicense", &rohit), item("OptionalQuestion", &virat)],
            "Verification": [item("TimeOnCurrentAddress", &virat)],
            "count": 6, "Application_id": app, "ApplicationStatus": "InProgress", "opstatus": 0, "httpStatusCode": 200
        })
    };
    let (status, actions) = cam
        .call("UserAction/getUserActions", &json!({"isPre": "true"}))
        .await;
    assert_eq!(
        (status, actions),
        (StatusCode::OK, listing(&HashMap::new()))
    );
    let (_, none) = cam
        .call("UserAction/getUserActions", &json!({"isPre": "false"}))
        .await;
    assert_eq!(
        none,
        json!({"count": 0, "Application_id": app, "ApplicationStatus": "InProgress", "opstatus": 0, "httpStatusCode": 200})
    );

    // uploadDocument: the seed's sample (with a real file: the seed's is empty).
    let proof = format!("ProofOfIncomeEmployed_{}_{app}", virat.party_id);
    let pdf = pdf_bytes();
    let upload = json!({ "UserActionIdentifier": proof, "Response": [{ "fileName": "techspectemplate.pdf", "fileType": "application/pdf", "fileInfo": "", "fileClientId": 1627265913230_u64, "fileContents": b64(&pdf) }] });
    let (status, uploaded) = cam.call("UserAction/uploadDocument", &upload).await;
    assert_eq!(status, StatusCode::OK, "{uploaded}");
    let document_id = uploaded["Response"][0]["documentId"]
        .as_str()
        .expect("documentId")
        .to_owned();
    assert!(uuid::Uuid::parse_str(&document_id).is_ok());
    assert_eq!(
        uploaded,
        json!({"Response": [{"fileName": "techspectemplate.pdf", "fileClientId": 1627265913230_u64, "fileInfo": "", "documentId": document_id, "fileType": "application/pdf"}],
               "opstatus": 0, "httpStatusCode": 200})
    );
    let mut empty_file = upload.clone();
    empty_file["Response"][0]["fileContents"] = json!("");
    let (status, refused) = cam.call("UserAction/uploadDocument", &empty_file).await;
    assert_eq!(
        (status, refused),
        (
            StatusCode::BAD_REQUEST,
            fabric_error(400, 10406, "Response[0].fileContents: must not be empty")
        )
    );

    // updateUserAction: the seed's sample; a retry applies nothing new.
    let update = json!({ "UserActionIdentifier": proof, "Response": "", "Status": "Submitted" });
    let (status, updated) = cam.call("UserAction/updateUserAction", &update).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    let update_id = updated["id"].as_str().expect("id").to_owned();
    assert!(is_hex24(&update_id));
    assert_eq!(
        updated,
        json!({"opstatus": 0, "id": update_id, "httpStatusCode": 200})
    );
    assert_eq!(
        cam.call("UserAction/updateUserAction", &update).await,
        (StatusCode::OK, updated.clone())
    );

    // updateUserActionBulk: answer the address question, skip the optional one.
    let time = format!("TimeOnCurrentAddress_{}_{app}", virat.party_id);
    let optional = format!("OptionalQuestion_{}_{app}", virat.party_id);
    let bulk = json!({"UserActions": [
        {"UserActionIdentifier": time, "Response": "2015-06", "Status": "Submitted"},
        {"UserActionIdentifier": optional, "Response": "", "Status": "Skipped"}
    ]});
    let (status, bulked) = cam.call("UserAction/updateUserActionBulk", &bulk).await;
    assert_eq!(status, StatusCode::OK, "{bulked}");
    let bulk_ids: Vec<String> = bulked["UserActions"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect();
    assert!(bulk_ids.iter().all(|i| is_hex24(i)));
    assert_eq!(
        bulked,
        json!({"UserActions": [{"UserActionIdentifier": time, "id": bulk_ids[0]}, {"UserActionIdentifier": optional, "id": bulk_ids[1]}],
               "opstatus": 0, "httpStatusCode": 200})
    );
    assert_eq!(
        cam.call("UserAction/updateUserActionBulk", &bulk).await,
        (StatusCode::OK, bulked),
        "a retried bulk applies nothing new"
    );

    // getUserActions again, every action: the new statuses.
    let statuses: HashMap<&str, &str> = [
        ("ProofOfIncomeEmployed_Virat", "Submitted"),
        ("TimeOnCurrentAddress_Virat", "Submitted"),
        ("OptionalQuestion_Virat", "Skipped"),
    ]
    .into();
    let (status, after) = cam.call("UserAction/getUserActions", &json!({})).await;
    assert_eq!((status, after), (StatusCode::OK, listing(&statuses)));

    // getDocument: the file comes back byte for byte.
    let (status, document) = cam
        .call(
            "UserAction/getDocument",
            &json!({"UserActionIdentifier": proof}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{document}");
    assert_eq!(
        document,
        json!({"UserActionIdentifier": proof, "Response": [{"documentId": document_id, "fileName": "techspectemplate.pdf", "fileType": "application/pdf",
               "fileInfo": "", "fileClientId": 1627265913230_u64, "fileContents": b64(&pdf)}], "opstatus": 0, "httpStatusCode": 200})
    );

    // The audit trail: consents and every change, in order.
    let (status, audit) = cam.call("Audit/getAuditEvents", &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    let trail: Vec<(String, String, Value, Value)> = audit["AuditEvents"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or("").to_owned(),
                e["target"].as_str().unwrap_or("").to_owned(),
                e["oldValue"].clone(),
                e["newValue"].clone(),
            )
        })
        .collect();
    let expected_trail: Vec<(String, String, Value, Value)> = vec![
        (
            "application-created".into(),
            app.clone(),
            Value::Null,
            json!("InProgress"),
        ),
        (
            "consent".into(),
            "Create_PersonalInfo_Consent".into(),
            Value::Null,
            json!("Yes"),
        ),
        (
            "applicant-added".into(),
            entity.clone(),
            Value::Null,
            json!("CoApplicant"),
        ),
        (
            "consent".into(),
            "Create_CoApplicantPersonalInfo_Consent".into(),
            Value::Null,
            json!("Yes"),
        ),
        (
            "document-attached".into(),
            proof.clone(),
            Value::Null,
            json!(document_id),
        ),
        (
            "status-change".into(),
            proof.clone(),
            json!("Created"),
            json!("Submitted"),
        ),
        (
            "status-change".into(),
            time.clone(),
            json!("Created"),
            json!("Submitted"),
        ),
        (
            "status-change".into(),
            optional.clone(),
            json!("Created"),
            json!("Skipped"),
        ),
    ];
    assert_eq!(trail, expected_trail);
    assert_eq!(audit["count"], json!(8));
    assert!(audit["AuditEvents"]
        .as_array()
        .expect("events")
        .iter()
        .all(|e| e["subject"]
            .as_str()
            .is_some_and(|s| s.starts_with("applicant-"))));
}
