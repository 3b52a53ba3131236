//! An applicant over the CAM API, as the flow tests drive one: answering
//! actions with documents, reading the listing, waiting for deliveries.

use super::cam::{b64, pdf_bytes, Cam};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::eventually;

/// Uploads `file_name` (a PDF) to `action` and submits the action.
pub async fn answer_with_document(cam: &Cam, action: &str, file_name: &str) -> String {
    let upload = json!({"UserActionIdentifier": action, "Response": [{
        "fileName": file_name, "fileType": "application/pdf", "fileInfo": "",
        "fileClientId": 1, "fileContents": b64(&pdf_bytes())}]});
    let (status, uploaded) = cam.call("UserAction/uploadDocument", &upload).await;
    assert_eq!(status, StatusCode::OK, "{uploaded}");
    submit_action(cam, action, "").await;
    uploaded["Response"][0]["documentId"]
        .as_str()
        .expect("documentId")
        .to_owned()
}

/// The applicant meets `action` sent back by a reviewer with `reason`,
/// takes it back (Rejected → Created) and answers it again with
/// `file_name`; the new document's id.
pub async fn answer_again(cam: &Cam, action: &str, reason: &str, file_name: &str) -> String {
    let rejected = eventually("the action sent back", || async {
        let listing = listing(cam).await;
        let found = self::action(&listing, action).clone();
        (found["UserActionStatus"] == "Rejected").then_some(found)
    })
    .await;
    assert_eq!(rejected["ActionMetaData"]["ReviewComment"], json!(reason));
    let back = json!({"UserActionIdentifier": action, "Response": "", "Status": "Created"});
    let (status, body) = cam.call("UserAction/updateUserAction", &back).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    answer_with_document(cam, action, file_name).await
}

/// Sends `response` to `action` and submits it.
pub async fn submit_action(cam: &Cam, action: &str, response: &str) {
    let update =
        json!({"UserActionIdentifier": action, "Response": response, "Status": "Submitted"});
    let (status, body) = cam.call("UserAction/updateUserAction", &update).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The action `identifier` in a getUserActions listing.
pub fn action<'a>(listing: &'a Value, identifier: &str) -> &'a Value {
    listing
        .as_object()
        .expect("a listing")
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .find(|a| a["UserActionIdentifier"] == identifier)
        .unwrap_or_else(|| panic!("{identifier} in {listing}"))
}

/// The applicant's getUserActions listing (with `isPre`).
pub async fn listing(cam: &Cam) -> Value {
    let (status, listing) = cam
        .call("UserAction/getUserActions", &json!({"isPre": "true"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{listing}");
    listing
}
