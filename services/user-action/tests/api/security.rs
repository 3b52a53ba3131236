//! App credentials and end-user tokens are required, and no end user reaches
//! another's application, actions or documents: each attempt is refused and
//! changes nothing.

use crate::helpers::{
    fabric, pdf_b64, profile, signed, spawn, spawn_with, stored_documents, upload, User, APP_KEY,
    APP_SECRET, OPERATIONS,
};
use reqwest::{Method, StatusCode};
use serde_json::json;
use testkit::at_rest::database_text;
use testkit::call;
use testkit::{backend_tests, edge_token_claims, refused_token_claims, Backend};

async fn credentials_and_tokens_are_required(backend: Backend) {
    let app = spawn(backend).await;
    let alice = User::new(&app, "alice");
    let path = format!("{OPERATIONS}/UserAction/getUserActions");
    let no_app = fabric(
        401,
        10101,
        "X-Kony-App-Key, X-Kony-App-Secret: must name a registered app",
    );
    let no_user = fabric(
        401,
        10102,
        "X-Kony-Authorization: a valid end-user token is required",
    );
    let bare = app.anonymous(Method::POST, &path).json(&json!({}));
    assert_eq!(call(bare).await, (StatusCode::UNAUTHORIZED, no_app.clone()));
    let wrong_secret = app
        .anonymous(Method::POST, &path)
        .header("X-Kony-App-Key", APP_KEY)
        .header("X-Kony-App-Secret", "guess")
        .json(&json!({}));
    assert_eq!(call(wrong_secret).await, (StatusCode::UNAUTHORIZED, no_app));
    let app_only = app
        .anonymous(Method::POST, &path)
        .header("X-Kony-App-Key", APP_KEY)
        .header("X-Kony-App-Secret", APP_SECRET)
        .json(&json!({}));
    assert_eq!(
        call(app_only).await,
        (StatusCode::UNAUTHORIZED, no_user.clone())
    );
    let forged = app
        .anonymous(Method::POST, &path)
        .header("X-Kony-App-Key", APP_KEY)
        .header("X-Kony-App-Secret", APP_SECRET)
        .header(
            "X-Kony-Authorization",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.bm90LXNpZ25lZA",
        )
        .json(&json!({}));
    assert_eq!(call(forged).await, (StatusCode::UNAUTHORIZED, no_user));
    let (status, _) = alice
        .call(
            "PersonalInfo/createProspectProfile",
            &crate::helpers::profile("Alice", "Smith"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "a valid caller is let in");
}

/// Issue 17, findings 6 and 7: an ECM analyst's token (or the console's),
/// one not valid yet, one issued in the future and one that lives for
/// years are each refused in the Fabric envelope, though signed with the
/// right key; none creates an application.
async fn a_token_for_another_api_or_out_of_its_time_is_refused(backend: Backend) {
    let app = spawn(backend).await;
    let no_user = fabric(
        401,
        10102,
        "X-Kony-Authorization: a valid end-user token is required",
    );
    let roles = ["case:write", "cam:review"];
    for (what, claims) in refused_token_claims(
        "onboarding-cam",
        &["onboarding-ecm", "onboarding-console"],
        &roles,
    ) {
        let caller = User::with_token(&app, signed(&claims));
        assert_eq!(
            caller
                .call(
                    "PersonalInfo/createProspectProfile",
                    &profile("Eve", "Smith")
                )
                .await,
            (StatusCode::UNAUTHORIZED, no_user.clone()),
            "{what}"
        );
    }
    let analyst = User::new(&app, "analyst");
    let (status, answer) = analyst.call("UserAction/getUserActions", &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no application: {answer}");
    // Within the leeway and the lifetime, the same shape is let in.
    let fine = User::with_token(&app, signed(&edge_token_claims("onboarding-cam", &roles)));
    let (status, answer) = fine
        .call(
            "PersonalInfo/createProspectProfile",
            &profile("Eve", "Smith"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

async fn one_user_cannot_reach_anothers_application(backend: Backend) {
    let app = spawn(backend).await;
    let alice = User::new(&app, "alice");
    let mallory = User::new(&app, "mallory");
    let (application, party) = alice.application("Alice", "Smith").await;
    let proof = format!("ProofOfIncomeEmployed_{party}_{application}");
    let (status, _) = alice
        .call(
            "UserAction/uploadDocument",
            &upload(&proof, &[("payslip.pdf", "application/pdf", &pdf_b64())]),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let before = alice.actions().await;
    let (_, alice_audit) = alice.call("Audit/getAuditEvents", &json!({})).await;

    let no_application = fabric(
        404,
        10201,
        "Application_id: no such application of the caller",
    );
    let no_action = fabric(
        404,
        10202,
        "UserActionIdentifier: no such user action of the caller",
    );
    let refused = [
        (
            "UserAction/getUserActions",
            json!({"Application_id": application}),
            no_application.clone(),
        ),
        (
            "UserAction/createPreRequirements",
            json!({"Application_id": application}),
            no_application.clone(),
        ),
        (
            "Audit/getAuditEvents",
            json!({"Application_id": application}),
            no_application.clone(),
        ),
        (
            "PersonalInfo/updateProspectProfile",
            {
                let mut p = crate::helpers::profile("Mallory", "Intruder");
                p["Application_id"] = json!(application);
                p
            },
            no_application.clone(),
        ),
        (
            "UserAction/updateUserAction",
            json!({"UserActionIdentifier": proof, "Response": "", "Status": "Submitted"}),
            no_action.clone(),
        ),
        (
            "UserAction/updateUserActionBulk",
            json!({"UserActions": [{"UserActionIdentifier": proof, "Response": "", "Status": "Submitted"}]}),
            no_action.clone(),
        ),
        (
            "UserAction/uploadDocument",
            upload(&proof, &[("evil.pdf", "application/pdf", &pdf_b64())]),
            no_action.clone(),
        ),
        (
            "UserAction/getDocument",
            json!({"UserActionIdentifier": proof}),
            no_action.clone(),
        ),
    ];
    for (operation, body, expected) in refused {
        assert_eq!(
            mallory.call(operation, &body).await,
            (StatusCode::NOT_FOUND, expected),
            "{operation}"
        );
    }
    assert_eq!(
        alice.actions().await,
        before,
        "Alice's actions are unchanged"
    );
    assert_eq!(
        alice.call("Audit/getAuditEvents", &json!({})).await.1,
        alice_audit,
        "nothing was recorded"
    );
    assert_eq!(
        stored_documents(&app, "alice", &proof).await,
        1,
        "only Alice's own document is stored"
    );
    assert_eq!(stored_documents(&app, "mallory", &proof).await, 0);
}

/// `Status` and `IsExistingCustomer` in a profile are the server's and the
/// bank's to set: a client's are accepted (the seed's sample sends them)
/// and never stored. The application starts `InProgress` whatever was sent.
async fn a_client_sets_no_server_field(backend: Backend) {
    let app = spawn(backend).await;
    let user = User::new(&app, "claimant");
    let mut claims = profile("Claire", "Mant");
    claims["Status"] = json!("Approved");
    claims["IsExistingCustomer"] = json!("PRIVATE-BANKING-CLIENT");
    let (status, created) = user
        .call("PersonalInfo/createProspectProfile", &claims)
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["Application_id"].as_str().expect("id");
    let (status, audit) = user.call("Audit/getAuditEvents", &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    let created_event = &audit["AuditEvents"][0];
    assert_eq!(
        (
            &created_event["kind"],
            &created_event["target"],
            &created_event["newValue"]
        ),
        (
            &json!("application-created"),
            &json!(id),
            &json!("InProgress")
        )
    );
    let stored = database_text(backend, &app.vars["USER_ACTION_DATABASE_URL"]);
    for claim in ["Approved", "PRIVATE-BANKING-CLIENT"] {
        assert!(!stored.contains(claim), "{claim} is stored");
    }
}

/// An application has at most USER_ACTION_MAX_CO_APPLICANTS co-applicants,
/// also when they are added all at once: each beyond the limit is refused
/// with 10306 and leaves no applicant behind.
async fn co_applicants_are_bounded(backend: Backend) {
    let app = spawn_with(backend, &[("USER_ACTION_MAX_CO_APPLICANTS", "3")]).await;
    let user = User::new(&app, "gatherer");
    user.application("Main", "Applicant").await;
    let co_applicant = |n: usize| {
        let mut body = profile("Co", &format!("Applicant{n}"));
        body["ApplicantType"] = json!("CoApplicant");
        body
    };
    let (user, co_applicant) = (&user, &co_applicant);
    let answers = futures_util::future::join_all((0..6).map(|n| async move {
        user.call("PersonalInfo/updateProspectProfile", &co_applicant(n))
            .await
    }))
    .await;
    let full = fabric(
        409,
        10306,
        "the application has 3 co-applicants, the most it may have",
    );
    let refused = answers.iter().filter(|(_, body)| *body == full).count();
    let added = answers
        .iter()
        .filter(|(status, body)| *status == StatusCode::OK && body["EntityId"].is_string())
        .count();
    assert_eq!((added, refused), (3, 3), "{answers:?}");
    assert_eq!(
        user.call("PersonalInfo/updateProspectProfile", &co_applicant(7))
            .await,
        (StatusCode::CONFLICT, full)
    );
    let (_, audit) = user.call("Audit/getAuditEvents", &json!({})).await;
    let added_events = audit["AuditEvents"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "applicant-added")
        .count();
    assert_eq!(added_events, 3);
}

backend_tests!(
    co_applicants_are_bounded,
    a_client_sets_no_server_field,
    credentials_and_tokens_are_required,
    one_user_cannot_reach_anothers_application,
    a_token_for_another_api_or_out_of_its_time_is_refused
);
