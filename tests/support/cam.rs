//! A client of the Customer Actions Management API for the tests, and the
//! seed document's sample requests and expected shapes.

use reqwest::StatusCode;
use serde_json::{json, Value};

/// The HS256 secret the tests sign end-user tokens with.
pub const JWT_SECRET: &str = "test-jwt-secret-0123456789abcdef0123";
/// The app the tests call as.
pub const APP_KEY: &str = "test-app";
/// Its secret.
pub const APP_SECRET: &str = "test-app-secret-0123456789";

/// `USER_ACTION_APPS` registering the test app (its secret's SHA-256).
pub fn apps_var() -> String {
    use sha2::Digest;
    format!(
        "{APP_KEY}:{}",
        hex::encode(sha2::Sha256::digest(APP_SECRET.as_bytes()))
    )
}

/// The variables every CAM test app needs.
pub fn cam_vars() -> Vec<(String, String)> {
    vec![
        ("JWT_HS256_SECRET".to_owned(), JWT_SECRET.to_owned()),
        ("DEV_MODE".to_owned(), "true".to_owned()),
        ("USER_ACTION_APPS".to_owned(), apps_var()),
    ]
}

/// A signed end-user token of the CAM API for `subject`.
pub fn token(subject: &str, roles: &[&str]) -> String {
    token_for("user-action", subject, roles)
}

/// A signed bearer token of the ECM API for `subject`.
pub fn ecm_token(subject: &str, roles: &[&str]) -> String {
    token_for("case", subject, roles)
}

/// A token for the API of `service`, with its default audience, as
/// `onboarding token --for` mints it.
fn token_for(service: &str, subject: &str, roles: &[&str]) -> String {
    let vars = cam_vars().into_iter().collect();
    let config = service_kit::ServerConfig::load(Some(&vars)).expect("config");
    let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
    onboarding::token(&config, Some(&vars), service, subject, &roles, None).expect("token")
}

/// An end user of the CAM API.
#[derive(Clone)]
pub struct Cam {
    base: String,
    http: reqwest::Client,
    token: String,
}

/// The operations path.
pub const OPERATIONS: &str = "/services/data/v1/CustomerActionsManagement/operations";

impl Cam {
    /// `subject` calling the app at `base`.
    pub fn new(base: &str, subject: &str) -> Self {
        Self {
            base: base.to_owned(),
            http: reqwest::Client::new(),
            token: token(subject, &[]),
        }
    }

    /// The same user, with a token carrying `roles`.
    pub fn with_roles(base: &str, subject: &str, roles: &[&str]) -> Self {
        Self {
            base: base.to_owned(),
            http: reqwest::Client::new(),
            token: token(subject, roles),
        }
    }

    /// A request to `operation` with the app credentials and the token.
    pub fn request(&self, operation: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{OPERATIONS}/{operation}", self.base))
            .header("X-Kony-App-Key", APP_KEY)
            .header("X-Kony-App-Secret", APP_SECRET)
            .header("X-Kony-Authorization", &self.token)
    }

    /// Posts JSON to `operation`; returns status and body.
    pub async fn call(&self, operation: &str, body: &Value) -> (StatusCode, Value) {
        testkit::call(self.request(operation).json(body)).await
    }
}

/// A Fabric error body.
pub fn fabric_error(status: u16, code: u32, message: &str) -> Value {
    json!({"opstatus": code, "httpStatusCode": status, "dbpErrCode": code.to_string(), "dbpErrMsg": message})
}

/// The seed's createProspectProfile request, verbatim.
pub fn seed_create_prospect() -> Value {
    json!({ "FirstName": "Virat", "LastName": "Kohli", "DateOfBirth": "1985-10-10", "Email": "kanand@temenos.com", "MobileCountryCode": "+91", "MobileNumber": "9994305648", "BranchReference": "GB0010001", "ApplicantType": "Applicant", "SectionProgress": "Done", "ConsentIdentifier": "Create_PersonalInfo_Consent", "AcceptanceStatus": "Yes", "Status": "InProgress", "IsExistingCustomer": "No", "CoApplicantCount": null })
}

/// The seed's updateProspectProfile request, verbatim.
pub fn seed_update_prospect() -> Value {
    json!({ "FirstName": "Rohit", "LastName": "Sharma", "DateOfBirth": "1989-10-10", "Email": "rohit@test.com", "MobileCountryCode": "+91", "MobileNumber": "9994305648", "BranchReference": "GB0010001", "ApplicantType": "CoApplicant", "SectionProgress": "Done", "ConsentIdentifier": "Create_CoApplicantPersonalInfo_Consent", "AcceptanceStatus": "Yes", "IsExistentMember": false, "Index": "2021-07-26T02:15:22", "EntityId": "60fe1abbdecbb711d1e76620" })
}

/// The seed's file rules text.
const RULES: &str = "<h4>The file(s) must follow with the below rules:</h4>Cannot contain the following special characters: , * | : \" < > ? / \\ [ ] % = ;<br>File name must have an extension name (eg: .pdf, .jpg, .png)<br>File name can’t begin with space<br>File can’t exclude more than 2MB";

/// The `ActionMetaData` of each of the seed's four actions, as the seed's
/// getUserActions sample shows them (less `CategoryMetadata` and
/// `DynamicData`, which depend on the action).
pub fn seed_metadata(name: &str) -> Value {
    match name {
        "ProofOfIncomeEmployed" => json!({
            "Group": "Income", "Options": "", "InformationText": RULES,
            "Description": "The user should upload single or multiple document/s as applicable like Salary slips, Income tax return, Job experience, Military service, College admission, Internship / scholarship and others documents. ",
            "Description_Key": "ProofOfIncomeEmployed_Description", "NeedsReview": "false",
            "Title": "Upload Income Proof documents %FirstName% %LastName%", "InformationText_Key": "ProofOfIncomeEmployed_InformationText",
            "OptionsType": "", "Title_Key": "ProofOfIncomeEmployed_Title", "ActionLevel": "Applicant", "Skippable": "false",
            "UserActionType": "DocumentUpload", "isPreRequirement": "true"
        }),
        "DriverLicense" => json!({
            "Group": "Documents", "Options": "", "InformationText": RULES, "Description": "", "Description_Key": "DriverLicense_Description",
            "NeedsReview": "false", "Title": "Driver License %FirstName% %LastName%", "InformationText_Key": "DriverLicense_InformationText",
            "OptionsType": "", "Title_Key": "DriverLicense_Title", "ActionLevel": "Applicant", "Skippable": "false",
            "UserActionType": "DocumentUpload", "isPreRequirement": "true"
        }),
        "OptionalQuestion" => json!({
            "Group": "Documents", "Options": "", "InformationText": RULES, "Description": "Upload additional Documents( if any)",
            "Description_Key": "OptionalQuestion_Description", "NeedsReview": "false", "Title": "Upload additional Documents( if any)",
            "InformationText_Key": "OptionalQuestion_InformationText", "OptionsType": "", "Title_Key": "OptionalQuestion_Title",
            "ActionLevel": "Application", "Skippable": "true", "UserActionType": "DocumentUpload", "isPreRequirement": "true"
        }),
        "TimeOnCurrentAddress" => json!({
            "Group": "Verification", "Options": "",
            "Description": "Provide staying since, entering the month and year where you moved to this address",
            "Description_Key": "TimeOnCurrentAddress_Description", "NeedsReview": "false",
            "Title": "Time on the current address / home - Staying since ?", "OptionsType": "", "Title_Key": "TimeOnCurrentAddress_Title",
            "ActionLevel": "Application", "Skippable": "false", "UserActionType": "Text", "isPreRequirement": "true"
        }),
        other => panic!("no seed action {other}"),
    }
}

/// A person the expected bodies mention.
#[derive(Clone)]
pub struct Person {
    /// Their party id.
    pub party_id: String,
    /// First name.
    pub first: &'static str,
    /// Last name.
    pub last: &'static str,
}

/// An action as getUserActions must list it.
pub fn listed(
    name: &str,
    person: &Person,
    application_id: &str,
    status: &str,
    action_id: &str,
) -> Value {
    let mut metadata = seed_metadata(name);
    let application_level = metadata["ActionLevel"] == "Application";
    metadata["CategoryMetadata"] = if application_level {
        json!({"identifier": application_id, "type": "Application"})
    } else {
        json!({"identifier": person.party_id, "type": "Applicant"})
    };
    if !application_level {
        metadata["DynamicData"] = json!({"FirstName": person.first, "LastName": person.last});
    }
    json!({
        "UserActionName": name, "UserActionId": action_id, "UserActionStatus": status, "PartyId": person.party_id,
        "ActionMetaData": metadata, "UserActionIdentifier": format!("{name}_{}_{application_id}", person.party_id), "ProductId": "ALL"
    })
}

/// An action as createPreRequirements must answer it.
pub fn created(name: &str, person: &Person, application_id: &str, action_id: &str) -> Value {
    json!({
        "UserActionName": name, "UserActionId": action_id, "UserActionStatus": "Created", "ActionMetaData": seed_metadata(name),
        "UserActionIdentifier": format!("{name}_{}_{application_id}", person.party_id),
        "appliesTo": person.first, "appliesToId": person.party_id,
        "DynamicData": {"FirstName": person.first, "LastName": person.last}
    })
}

/// Checks the documented identifier formats.
pub fn assert_formats(application_id: &str, party_ids: &[&str]) {
    assert!(
        application_id.len() == 7
            && application_id
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
        "{application_id}"
    );
    for id in party_ids {
        assert!(
            id.len() == 10 && id.bytes().all(|b| b.is_ascii_digit()),
            "{id}"
        );
    }
}

/// Whether `id` is `CA` and 12 digits.
pub fn is_action_id(id: &str) -> bool {
    id.strip_prefix("CA")
        .is_some_and(|d| d.len() == 12 && d.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `id` is 24 lower-case hex characters.
pub fn is_hex24(id: &str) -> bool {
    id.len() == 24
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A small real PDF.
pub fn pdf_bytes() -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 3000));
    bytes
}

/// Base64 of `bytes`.
pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
