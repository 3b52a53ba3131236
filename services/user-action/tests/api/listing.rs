//! getUserActions answers are cached per application revision: every write
//! to an application's applicants or actions, through any replica, is seen
//! by the next listing on every replica.

use crate::helpers::{replica_of, spawn, User};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::call;
use testkit::{backend_tests, Backend};

/// The listing as each replica answers it; both must agree.
async fn listing_on_both(user: &User<'_>, bases: &[&str], query: &Value) -> Value {
    let mut answers = Vec::new();
    for base in bases {
        let (status, listing) = call(
            user.request_at(base, "UserAction/getUserActions")
                .json(query),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{listing}");
        answers.push(listing);
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    answers.remove(0)
}

/// Every `Status` in a listing, by `UserActionIdentifier`.
fn statuses(listing: &Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = listing
        .as_object()
        .expect("an object")
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .map(|item| {
            (
                item["UserActionIdentifier"]
                    .as_str()
                    .expect("id")
                    .to_owned(),
                item["UserActionStatus"]
                    .as_str()
                    .expect("status")
                    .to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

async fn every_replica_sees_every_write(backend: Backend) {
    let app = spawn(backend).await;
    let replica = replica_of(&app).await;
    let bases = [app.url.as_str(), &replica.url()];
    let user = User::new(&app, "lister");
    let (application, party) = user.application("Virat", "Kohli").await;
    let time = format!("TimeOnCurrentAddress_{party}_{application}");
    let all = json!({});
    let pre = json!({"isPre": "true"});

    // Warm both replicas' caches, for both filters.
    let before = listing_on_both(&user, &bases, &all).await;
    let before_pre = listing_on_both(&user, &bases, &pre).await;
    assert!(statuses(&before).contains(&(time.clone(), "Created".to_owned())));

    // A change through the second replica is seen through the first.
    let update =
        json!({"UserActionIdentifier": time, "Response": "2015-06", "Status": "Submitted"});
    let (status, body) = call(
        user.request_at(bases[1], "UserAction/updateUserAction")
            .json(&update),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = listing_on_both(&user, &bases, &all).await;
    let expected: Vec<(String, String)> = statuses(&before)
        .into_iter()
        .map(|(id, s)| {
            if id == time {
                (id, "Submitted".to_owned())
            } else {
                (id, s)
            }
        })
        .collect();
    assert_eq!(statuses(&after), expected);
    assert_ne!(listing_on_both(&user, &bases, &pre).await, before_pre);

    // So are a new co-applicant and its actions.
    let co_applicant = json!({"FirstName": "Anushka", "LastName": "Sharma", "DateOfBirth": "1988-05-01",
        "Email": "as@example.com", "ApplicantType": "CoApplicant", "EntityId": "60fe1abbdecbb711d1e76621"});
    let (status, body) = user
        .call("PersonalInfo/updateProspectProfile", &co_applicant)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call(
        user.request_at(bases[1], "UserAction/createPreRequirements")
            .json(&all),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let with_co_applicant = listing_on_both(&user, &bases, &all).await;
    assert!(
        statuses(&with_co_applicant).len() > statuses(&after).len(),
        "{with_co_applicant}"
    );
    assert!(with_co_applicant.to_string().contains("Anushka"));

    // Another user's listing is not the cached one.
    let other = User::new(&app, "someone-else");
    let (status, _) = call(
        other
            .request_at(bases[1], "UserAction/getUserActions")
            .json(&all),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    replica.stop(true).await;
}

/// A whole getUserActions answer, pinned: the seed catalog's actions for a
/// new application, then after an answer. The party and application ids
/// are random, so they are written as `{party}` and `{application}`, and
/// each action's random `UserActionId` as `[id]`.
async fn the_whole_listing(backend: Backend) {
    let app = spawn(backend).await;
    let user = User::new(&app, "lister");
    let (application, party) = user.application("Virat", "Kohli").await;
    // As pretty text: serde_json writes the numbers as they came (the
    // workspace turns on its `arbitrary_precision`); insta's own JSON writer
    // would write each as the map serde_json hands it over as.
    let pinned = |listing: Value| -> String {
        let text = listing
            .to_string()
            .replace(&party, "{party}")
            .replace(&application, "{application}");
        let mut listing: Value = serde_json::from_str(&text).expect("JSON");
        let groups = listing
            .as_object_mut()
            .into_iter()
            .flat_map(|o| o.values_mut());
        for action in groups.filter_map(Value::as_array_mut).flatten() {
            if let Some(id) = action.get_mut("UserActionId") {
                *id = json!("[id]");
            }
        }
        // Keys sorted, as the snapshots list them (the answer's own order
        // is the groups', then the envelope's).
        listing.sort_all_objects();
        serde_json::to_string_pretty(&listing).expect("JSON")
    };
    insta::assert_snapshot!("get_user_actions_new", pinned(user.actions().await));
    let update = json!({"UserActionIdentifier": format!("TimeOnCurrentAddress_{party}_{application}"),
                        "Response": "2015-06", "Status": "Submitted"});
    let (status, answer) = user.call("UserAction/updateUserAction", &update).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    insta::assert_snapshot!("get_user_actions_answered", pinned(user.actions().await));
}

backend_tests!(every_replica_sees_every_write, the_whole_listing);
