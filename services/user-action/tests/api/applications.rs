//! The applications for the bank's staff (issue 15), user-action's
//! internal API the console reads: the listing, filtered and paged with
//! its total, and an application's documents, never another's.

use crate::bank::{
    answered, client_of, decide, flow, in_db, rejected, status_changed, submitted, CASE,
};
use crate::helpers::{pdf_b64, upload, User};
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use testkit::{backend_tests, Backend, TestApp};
use user_action::delivery;

const LIST: &str = "/user-action/v1/applications";

/// `GET` the listing with `query`, with the internal credential.
async fn list(app: &TestApp, query: &str) -> (StatusCode, Value) {
    testkit::call(app.internal(Method::GET, &format!("{LIST}{query}"))).await
}

/// `body` with every `createdAt` and `updatedAt` (each checked to be a
/// stored time) written `<time>`, and the times of its applications in
/// order: what a whole-body comparison cannot know in advance.
fn timeless(body: &Value) -> (Value, Vec<String>) {
    fn walk(value: &mut Value) {
        match value {
            Value::Object(fields) => {
                for (name, field) in fields.iter_mut() {
                    if name == "createdAt" || name == "updatedAt" {
                        let time = field.as_str().expect("a time");
                        assert!(chrono::DateTime::parse_from_rfc3339(time).is_ok(), "{time}");
                        *field = json!("<time>");
                    } else {
                        walk(field);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let times = body["applications"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|a| a["updatedAt"].as_str().expect("time").to_owned())
                .collect()
        })
        .unwrap_or_default();
    let mut body = body.clone();
    walk(&mut body);
    (body, times)
}

/// A problem naming `field`.
fn invalid(field: &str, message: &str) -> (StatusCode, Value) {
    (
        StatusCode::BAD_REQUEST,
        json!({"type": "urn:onboarding:problem:invalid-input", "title": "The request is invalid",
               "status": 400, "detail": format!("{field}: {message}"),
               "errors": [{"field": field, "message": message}]}),
    )
}

fn not_found(what: &str) -> (StatusCode, Value) {
    (
        StatusCode::NOT_FOUND,
        json!({"type": "urn:onboarding:problem:not-found", "title": "Not found", "status": 404,
               "detail": format!("{what} not found")}),
    )
}

/// notifyRM with `message`: the request's id.
async fn notify(user: &User<'_>, message: &str) -> String {
    let (status, body) = user
        .call("UserAction/notifyRM", &json!({"Message": message}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["id"].as_str().expect("id").to_owned()
}

/// The party of an action identifier `{name}_{party}_{application}`.
fn party_of(identifier: &str) -> String {
    identifier.split('_').nth(1).expect("party").to_owned()
}

/// The listing's whole answers: every application (newest change first)
/// with its case, applicants, waiting actions and requests for help;
/// pages of two with a cursor and the total on each; the status and
/// pendingRm filters; and the typed client reading the same.
async fn applications_are_listed_for_the_bank(backend: Backend) {
    let flow = flow(backend).await;
    let app = &flow.app;
    // Alice: in progress, nothing answered.
    let alice = User::new(app, "alice");
    let (first, alice_party) = alice.application("Virat", "Kohli").await;
    // Bob: submitted, under review on a case, asked for help, his passport
    // sent back, the case pending with him.
    let bob = User::new(app, "bob");
    let (second, passport, document) = submitted(&bob).await;
    let bob_party = party_of(&passport);
    in_db(app, |conn, _| delivery::case_opened(conn, &second, CASE));
    let help = notify(&bob, "Which payslips do you need?").await;
    // The request's delivery answers with the case, as case-service does.
    in_db(app, |conn, _| delivery::case_opened(conn, &second, CASE));
    let reason = "The scan is unreadable";
    assert_eq!(
        decide(app, &second, &rejected("d-1", &document, reason))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        decide(app, &second, &status_changed("d-2", "NEW", "RFI"))
            .await
            .0,
        StatusCode::OK
    );
    // Carol: asked for help, then withdrew.
    let carol = User::new(app, "carol");
    let (third, carol_party) = carol.application("Carol", "Dane").await;
    let carols_help = notify(&carol, "Can I call you?").await;
    let (status, body) = carol
        .call("UserAction/signalProcess", &json!({"Signal": "Withdraw"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let waiting = |party: &str, application: &str, passport: &str| {
        json!([
            {"identifier": format!("Passport_{party}_{application}"), "name": "Passport",
             "status": passport, "reviewComment": null},
            {"identifier": format!("SourceOfFunds_{party}_{application}"), "name": "SourceOfFunds",
             "status": "Created", "reviewComment": null}
        ])
    };
    let alices = json!({"applicationId": first, "status": "InProgress", "createdAt": "<time>",
        "updatedAt": "<time>", "caseId": null, "caseStatus": null,
        "applicants": [{"partyId": alice_party, "type": "Applicant", "firstName": "Virat", "lastName": "Kohli"}],
        "pendingActions": waiting(&alice_party, &first, "Created"), "rmRequests": [], "rmRequestCount": 0});
    let bobs = json!({"applicationId": second, "status": "UnderReview", "createdAt": "<time>",
        "updatedAt": "<time>", "caseId": CASE, "caseStatus": "RFI",
        "applicants": [{"partyId": bob_party, "type": "Applicant", "firstName": "Virat", "lastName": "Kohli"}],
        "pendingActions": [{"identifier": passport, "name": "Passport", "status": "Rejected", "reviewComment": reason}],
        "rmRequests": [{"id": help, "message": "Which payslips do you need?", "caseId": CASE, "createdAt": "<time>"}],
        "rmRequestCount": 1});
    let carols = json!({"applicationId": third, "status": "Withdrawn", "createdAt": "<time>",
        "updatedAt": "<time>", "caseId": null, "caseStatus": null,
        "applicants": [{"partyId": carol_party, "type": "Applicant", "firstName": "Carol", "lastName": "Dane"}],
        "pendingActions": waiting(&carol_party, &third, "Created"),
        "rmRequests": [{"id": carols_help, "message": "Can I call you?", "caseId": null, "createdAt": "<time>"}],
        "rmRequestCount": 1});

    // Everything, newest change first.
    let (status, all) = list(app, "").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let (body, times) = timeless(&all);
    assert_eq!(
        body,
        json!({"applications": [carols, bobs, alices], "nextCursor": null, "total": 3})
    );
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");

    // Pages of two: the cursor is the last one's place; the total on each.
    let (status, page) = list(app, "?limit=2").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let cursor = format!("{}_{second}", times[1]);
    assert_eq!(
        timeless(&page).0,
        json!({"applications": [carols, bobs], "nextCursor": cursor, "total": 3})
    );
    let (status, rest) = list(app, &format!("?limit=2&cursor={cursor}")).await;
    assert_eq!(status, StatusCode::OK, "{rest}");
    assert_eq!(
        timeless(&rest).0,
        json!({"applications": [alices], "nextCursor": null, "total": 3})
    );

    // Filters.
    let (status, filtered) = list(app, "?status=UnderReview,InProgress,UnderReview").await;
    assert_eq!(status, StatusCode::OK, "{filtered}");
    assert_eq!(
        timeless(&filtered).0,
        json!({"applications": [bobs, alices], "nextCursor": null, "total": 2})
    );
    // Carol's request is not open: she withdrew.
    let (status, pending) = list(app, "?pendingRm=true").await;
    assert_eq!(status, StatusCode::OK, "{pending}");
    assert_eq!(
        timeless(&pending).0,
        json!({"applications": [bobs], "nextCursor": null, "total": 1})
    );
    assert_eq!(
        list(app, "?pendingRm=true&status=InProgress,Withdrawn").await,
        (
            StatusCode::OK,
            json!({"applications": [], "nextCursor": null, "total": 0})
        )
    );
    assert_eq!(
        list(app, "?pendingRm=false&limit=100").await,
        (StatusCode::OK, all.clone())
    );

    // The typed client reads the same pages.
    let client = client_of(app);
    let read = client
        .applications(&clients::ApplicationsQuery {
            limit: Some(2),
            ..Default::default()
        })
        .await
        .expect("page");
    assert_eq!(serde_json::to_value(&read).expect("json"), page);
    let read = client
        .applications(&clients::ApplicationsQuery {
            statuses: vec!["UnderReview".to_owned()],
            pending_rm: true,
            limit: Some(2),
            cursor: None,
        })
        .await
        .expect("page");
    assert_eq!(serde_json::to_value(&read).expect("json"), pending);
    match client
        .applications(&clients::ApplicationsQuery {
            cursor: Some("elsewhere".to_owned()),
            ..Default::default()
        })
        .await
    {
        Err(clients::CallError::Status { status, body, .. }) => {
            assert_eq!(
                (status, body),
                invalid("cursor", "is not a cursor this list returned")
            )
        }
        other => panic!("{other:?}"),
    }
}

/// Refusals: no credential (401, as every internal route), and each bad
/// parameter named in a problem.
async fn the_listing_refuses_bad_parameters(backend: Backend) {
    let flow = flow(backend).await;
    let app = &flow.app;
    assert_eq!(
        testkit::call(app.anonymous(Method::GET, LIST)).await,
        (StatusCode::UNAUTHORIZED, testkit::unauthorized_problem())
    );
    let statuses = "must be a comma-separated list of InProgress, Submitted, UnderReview, Approved, Rejected, Withdrawn";
    for query in [
        "?status=Pending",
        "?status=",
        "?status=Submitted,",
        "?status=submitted",
    ] {
        assert_eq!(
            list(app, query).await,
            invalid("status", statuses),
            "{query}"
        );
    }
    for query in ["?limit=0", "?limit=101", "?limit=-1"] {
        assert_eq!(
            list(app, query).await,
            invalid("limit", "must be between 1 and 100"),
            "{query}"
        );
    }
    let no_cursor = invalid("cursor", "is not a cursor this list returned");
    for query in [
        "?cursor=",
        "?cursor=abc",
        "?cursor=2026-12-07T10:00:00.000000Z_abc",
        "?cursor=2026-12-07T10:00:00Z_3X88WLM",
    ] {
        assert_eq!(list(app, query).await, no_cursor, "{query}");
    }
    for (query, field) in [
        ("?limit=ten", "limit"),
        ("?pendingRm=yes", "pendingRm"),
        ("?sort=name", "sort"),
    ] {
        let (status, body) = list(app, query).await;
        assert_eq!(
            (status, &body["errors"][0]["field"]),
            (StatusCode::BAD_REQUEST, &json!(field)),
            "{query}: {body}"
        );
    }
    // Every bad parameter at once.
    let (status, body) = list(app, "?status=Nope&limit=0&cursor=x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["errors"],
        json!([
            {"field": "limit", "message": "must be between 1 and 100"},
            {"field": "status", "message": statuses},
            {"field": "cursor", "message": "is not a cursor this list returned"}
        ])
    );
}

/// The path of document `document` of application `application`.
fn content_path(application: &str, document: &str) -> String {
    format!("{LIST}/{application}/documents/{document}/content")
}

/// A small PNG, base64: its signature and a few bytes.
fn png_b64() -> String {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend(std::iter::repeat_n(0u8, 64));
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An application's document is served to the bank, bytes and type, never
/// cached; another application's document, an unknown one and a
/// malformed id are refused, and the typed client reads the same.
async fn an_applications_documents_are_served(backend: Backend) {
    let flow = flow(backend).await;
    let app = &flow.app;
    let bob = User::new(app, "bob");
    let (second, _, document) = submitted(&bob).await;
    let alice = User::new(app, "alice");
    let (first, _, alices) = answered(&alice).await;
    let carol = User::new(app, "carol");
    let (third, party) = carol.application("Carol", "Dane").await;
    let (status, body) = carol
        .call(
            "UserAction/uploadDocument",
            &upload(
                &format!("Passport_{party}_{third}"),
                &[("selfie.png", "image/png", &png_b64())],
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let png = body["Response"][0]["documentId"]
        .as_str()
        .expect("id")
        .to_owned();

    let pdf = base64::engine::general_purpose::STANDARD
        .decode(pdf_b64())
        .expect("pdf");
    let response = app
        .internal(Method::GET, &content_path(&second, &document))
        .header("X-Acting-Subject", "analyst-1")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().expect("text").to_owned())
    };
    assert_eq!(
        [
            header("content-type"),
            header("content-length"),
            header("cache-control"),
            header("x-content-type-options"),
            header("content-disposition"),
        ],
        [
            Some("application/pdf".to_owned()),
            Some(pdf.len().to_string()),
            Some("no-store".to_owned()),
            Some("nosniff".to_owned()),
            None,
        ]
    );
    assert_eq!(
        response.bytes().await.expect("bytes").as_ref(),
        pdf.as_slice()
    );

    // Without X-Acting-Subject too; and the client, by type.
    let client = client_of(app);
    let (status, _) =
        testkit::call(app.internal(Method::GET, &content_path(&first, &alices))).await;
    assert_eq!(status, StatusCode::OK);
    let served = client
        .document_content(&third, &png, Some("analyst-1"))
        .await
        .expect("served")
        .expect("found");
    assert_eq!((served.0.as_str(), served.1.len()), ("image/png", 72));
    assert_eq!(
        client
            .document_content(&second, &alices, None)
            .await
            .expect("answered"),
        None
    );

    // Never another application's document; unknown ones answer alike.
    let unknown = "0b7f6a53-4e43-4d0f-9c55-0c5d6f3f1a00";
    for (application, document) in [
        (second.as_str(), alices.as_str()),
        (first.as_str(), document.as_str()),
        (third.as_str(), document.as_str()),
        (second.as_str(), unknown),
        ("ZZZZZZZ", document.as_str()),
    ] {
        assert_eq!(
            testkit::call(app.internal(Method::GET, &content_path(application, document))).await,
            not_found("document"),
            "{application} {document}"
        );
    }

    // Malformed ids and acting subjects, each named.
    let bad_application = ("applicationId", "must be 7 characters of A-Z and 0-9");
    let bad_document = ("documentId", "must be a lower-case UUID");
    for (application, document, field) in [
        ("3x88wlm", document.as_str(), bad_application),
        ("TOOLONG1", document.as_str(), bad_application),
        (second.as_str(), "not-a-uuid", bad_document),
        (second.as_str(), &document.to_uppercase(), bad_document),
        (second.as_str(), &document.replace('-', ""), bad_document),
    ] {
        assert_eq!(
            testkit::call(app.internal(Method::GET, &content_path(application, document))).await,
            invalid(field.0, field.1),
            "{application} {document}"
        );
    }
    let subject = "must be 1 to 200 printable ASCII characters, not blank";
    for acting in ["   ".to_owned(), "a".repeat(201), "tab\there".to_owned()] {
        assert_eq!(
            testkit::call(
                app.internal(Method::GET, &content_path(&second, &document))
                    .header("X-Acting-Subject", &acting)
            )
            .await,
            invalid("X-Acting-Subject", subject),
            "{acting}"
        );
    }
    let (status, body) =
        testkit::call(app.internal(Method::GET, &content_path("bad", "worse"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["errors"],
        json!([
            {"field": bad_application.0, "message": bad_application.1},
            {"field": bad_document.0, "message": bad_document.1}
        ])
    );

    // The internal credential first, as on every internal route.
    assert_eq!(
        testkit::call(app.anonymous(Method::GET, &content_path(&second, &document))).await,
        (StatusCode::UNAUTHORIZED, testkit::unauthorized_problem())
    );
}

backend_tests!(
    applications_are_listed_for_the_bank,
    the_listing_refuses_bad_parameters,
    an_applications_documents_are_served
);
