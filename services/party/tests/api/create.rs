//! Creating and reading parties.

use crate::helpers::{assert_party_id, create, invalid, minimal, read, spawn, virat};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashSet;
use testkit::call;
use testkit::{backend_tests, Backend, TestApp};

async fn creates_a_person_and_reads_it_back(backend: Backend) {
    let app = spawn(backend).await;
    let created = create(&app, &virat()).await;
    assert_eq!(
        read(&app, created["id"].as_str().expect("id")).await,
        created
    );
}

async fn creates_an_organisation(backend: Backend) {
    let app = spawn(backend).await;
    let org = json!({
        "kind": "organisation",
        "organisationName": "ABC Trust",
        "identifiers": [{"type": "companyRegistration", "formatCode": null, "value": "RC-778899", "issuingCountry": "GB"}],
        "contactPoints": [{"channel": "email", "value": "ops@abc.example", "usage": "work"}]
    });
    let created = create(&app, &org).await;
    assert_eq!(
        read(&app, created["id"].as_str().expect("id")).await,
        created
    );
}

async fn ids_are_unique_and_not_sequential_under_concurrent_creates(backend: Backend) {
    let app = spawn(backend).await;
    let inputs: Vec<_> = (0..25)
        .map(|i| minimal("Test", &format!("Person{i}")))
        .collect();
    let creates = inputs.iter().map(|input| create(&app, input));
    let bodies = futures_util::future::join_all(creates).await;
    let ids: Vec<u64> = bodies
        .iter()
        .map(|b| {
            let id = b["id"].as_str().expect("id");
            assert_party_id(id);
            id.parse().expect("digits")
        })
        .collect();
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        25,
        "ids are unique"
    );
    let mut sorted = ids.clone();
    sorted.sort();
    assert!(
        sorted.windows(2).any(|w| w[1] - w[0] > 1_000),
        "ids are spread out, not counted: {sorted:?}"
    );
    for body in &bodies {
        let id = body["id"].as_str().expect("id");
        assert_eq!(&read(&app, id).await, body);
    }
}

async fn unknown_and_malformed_ids_are_not_found(backend: Backend) {
    let app = spawn(backend).await;
    let not_found = json!({
        "type": "urn:onboarding:problem:not-found",
        "title": "Not found",
        "status": 404,
        "detail": "party not found"
    });
    for id in ["1234567890", "12", "abcdefghij", "0123456789"] {
        let (status, body) =
            call(app.internal(Method::GET, &format!("/party/v1/parties/{id}"))).await;
        assert_eq!(
            (status, body),
            (StatusCode::NOT_FOUND, not_found.clone()),
            "{id}"
        );
    }
}

/// Creates `input` under the id `id` (`X-Party-Id`).
async fn create_as(app: &TestApp, id: &str, input: &Value) -> (StatusCode, Value) {
    call(
        app.internal(Method::POST, "/party/v1/parties")
            .header("X-Party-Id", id)
            .json(input),
    )
    .await
}

/// Deletes the party `id`, answering its status.
async fn delete(app: &TestApp, id: &str) -> StatusCode {
    call(app.internal(Method::DELETE, &format!("/party/v1/parties/{id}")))
        .await
        .0
}

/// The 409 of an id given out before, or deleted.
fn spent() -> Value {
    json!({
        "type": "urn:onboarding:problem:conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "X-Party-Id: the id is taken, or was deleted"
    })
}

/// A caller chooses a party's id so that it can delete the party when the
/// answer is lost; an id is used once, and a delete spends an unused one,
/// so that a create arriving after its caller gave up is refused.
async fn a_chosen_id_is_given_out_once(backend: Backend) {
    let app = spawn(backend).await;
    let input = minimal("Chosen", "Id");
    let (status, created) = create_as(&app, "4000000001", &input).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["id"], "4000000001");
    assert_eq!(read(&app, "4000000001").await, created);
    assert_eq!(
        create_as(&app, "4000000001", &input).await,
        (StatusCode::CONFLICT, spent()),
        "taken"
    );
    assert_eq!(delete(&app, "4000000001").await, StatusCode::NO_CONTENT);
    assert_eq!(
        create_as(&app, "4000000001", &input).await,
        (StatusCode::CONFLICT, spent()),
        "deleted"
    );
    assert_eq!(delete(&app, "4000000002").await, StatusCode::NOT_FOUND);
    assert_eq!(
        create_as(&app, "4000000002", &input).await,
        (StatusCode::CONFLICT, spent()),
        "deleted before it was used"
    );
    for bad in ["0123456789", "12", "abcdefghij"] {
        assert_eq!(
            create_as(&app, bad, &input).await,
            (
                StatusCode::BAD_REQUEST,
                invalid(
                    "X-Party-Id",
                    "must be a party id: 10 digits, the first not 0"
                )
            ),
            "{bad}"
        );
    }
}

/// A create and a delete of one id at once: whichever comes first, no
/// party is left (the delete removes it, or the create is refused).
async fn a_delete_racing_a_create_of_its_id_leaves_no_party(backend: Backend) {
    let app = spawn(backend).await;
    let input = minimal("Racing", "Delete");
    let ids: Vec<String> = (0..20)
        .map(|i| format!("{}", 5_000_000_000u64 + i))
        .collect();
    let races = ids.iter().map(|id| {
        let (app, input) = (&app, &input);
        async move { tokio::join!(create_as(app, id, input), delete(app, id)) }
    });
    for ((created, deleted), id) in futures_util::future::join_all(races)
        .await
        .into_iter()
        .zip(&ids)
    {
        match created.0 {
            StatusCode::CREATED => assert_eq!(deleted, StatusCode::NO_CONTENT, "{id}"),
            _ => assert_eq!(created, (StatusCode::CONFLICT, spent()), "{id}"),
        }
        let (status, _) = call(app.internal(Method::GET, &format!("/party/v1/parties/{id}"))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id} is gone");
    }
}

/// Creates arriving together are written together (one transaction for
/// the creates waiting): each is still answered as if it were alone. A
/// chosen id sent twice at once is given to one of them, one taken before
/// is refused, and the others are created with their own details.
async fn creates_at_once_are_each_answered_as_alone(backend: Backend) {
    let app = spawn(backend).await;
    let taken = minimal("Taken", "Before");
    assert_eq!(
        create_as(&app, "4100000000", &taken).await.0,
        StatusCode::CREATED
    );
    let mut asks: Vec<(Option<&str>, Value)> = (0..24)
        .map(|i| (None, minimal("Together", &format!("Person{i}"))))
        .collect();
    asks.push((Some("4100000001"), minimal("Chosen", "First")));
    asks.push((Some("4100000002"), minimal("Chosen", "Second")));
    asks.push((Some("4100000009"), minimal("Twice", "Once")));
    asks.push((Some("4100000009"), minimal("Twice", "Again")));
    asks.push((Some("4100000000"), minimal("Taken", "Again")));
    let app = &app;
    let answers = futures_util::future::join_all(asks.iter().map(|(id, input)| async move {
        match id {
            Some(id) => create_as(app, id, input).await,
            None => call(app.internal(Method::POST, "/party/v1/parties").json(input)).await,
        }
    }))
    .await;

    let mut twice = Vec::new();
    for ((id, input), (status, body)) in asks.iter().zip(&answers) {
        match *id {
            Some("4100000000") => assert_eq!((*status, body), (StatusCode::CONFLICT, &spent())),
            Some("4100000009") => twice.push(*status),
            _ => {
                assert_eq!(*status, StatusCode::CREATED, "{body}");
                assert_eq!(body["lastName"], input["lastName"]);
                if let Some(id) = id {
                    assert_eq!(body["id"], *id);
                }
                assert_eq!(&read(app, body["id"].as_str().expect("id")).await, body);
            }
        }
    }
    twice.sort();
    assert_eq!(twice, [StatusCode::CREATED, StatusCode::CONFLICT]);
    let ids: HashSet<&str> = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::CREATED)
        .map(|(_, body)| body["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids.len(), 27, "every party its own id");
}

backend_tests!(
    a_chosen_id_is_given_out_once,
    a_delete_racing_a_create_of_its_id_leaves_no_party,
    creates_a_person_and_reads_it_back,
    creates_an_organisation,
    ids_are_unique_and_not_sequential_under_concurrent_creates,
    unknown_and_malformed_ids_are_not_found,
    creates_at_once_are_each_answered_as_alone,
);
